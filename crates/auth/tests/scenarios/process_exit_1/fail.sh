#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "STDOUTSECRET"}'
echo "signing helper: certificate expired" >&2
exit 1
