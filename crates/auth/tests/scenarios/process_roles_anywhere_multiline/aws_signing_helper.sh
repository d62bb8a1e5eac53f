#!/bin/sh
# Succeeds only when given exactly the 11 arguments of the documented form.
expected="credential-process|--certificate|/path/to/certificate.pem|--private-key|/path/to/private-key.pem|--trust-anchor-arn|arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/abc123|--profile-arn|arn:aws:rolesanywhere:us-east-1:123456789012:profile/def456|--role-arn|arn:aws:iam::123456789012:role/MyBedrockRole"
got="$1"; shift
for a in "$@"; do got="$got|$a"; done
if [ "$got" != "$expected" ]; then echo "unexpected args: $got" >&2; exit 2; fi
printf '{"Version":1,"AccessKeyId":"ASIAROLESANYWHERE","SecretAccessKey":"ra-secret","SessionToken":"ra-token","Expiration":"2030-01-01T01:00:00Z"}'
