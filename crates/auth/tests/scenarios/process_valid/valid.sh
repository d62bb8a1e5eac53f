#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "processsecret", "SessionToken": "processtoken", "Expiration": "2030-01-01T00:00:00Z", "AccountId": "123456789012"}'
