#!/bin/sh
echo '{"Version": 2, "AccessKeyId": "ASIAV2", "SecretAccessKey": "V2SUPERSECRET"}'
