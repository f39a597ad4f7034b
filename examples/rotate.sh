#!/usr/bin/env bash
# Rotate a key from a script: the new token goes to a 0600 file, the old one keeps working
# for an hour so that clients can switch over, and the new token is checked before use.
set -euo pipefail
key=${1:-ci-deploy}
new_token_file=$(mktemp -d)/token
apikeys rotate "$key" --grace 1h --yes --no-clipboard --secret-file "$new_token_file"
apikeys verify -q < "$new_token_file"
echo "rotated $key; new token in $new_token_file (hand it to your secret manager, then delete it)"
