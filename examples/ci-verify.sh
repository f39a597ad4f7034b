#!/usr/bin/env bash
# A CI step: let the deploy through only with a valid token that grants deploy:write.
set -u
printf '%s\n' "$DEPLOY_TOKEN" | apikeys verify --scope deploy:write --format json > verify.json
case $? in
  0) echo "token ok: deploying" ;;
  13) echo "token expired: rotate it with 'apikeys rotate'" >&2; exit 1 ;;
  *) echo "token rejected: $(cat verify.json)" >&2; exit 1 ;;
esac
