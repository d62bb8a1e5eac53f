#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "BADJSONSECRET"'
