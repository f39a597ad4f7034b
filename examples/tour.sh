#!/usr/bin/env bash
# The 60-second tour, as it runs: a store, a group, a key, verify, rotate, revoke, the log.
set -euo pipefail
export APIKEYS_KEY_FILE=~/.config/apikeys/ci.key  # unlocks every later command, no passphrase asked
apikeys init --with-key-file "$APIKEYS_KEY_FILE"  # asks for a passphrase twice (or reads APIKEYS_PASSPHRASE)
apikeys group create deployers --scope deploy:write --scope deploy:read
TOKEN=$(apikeys create --name ci-deploy --expires 30d --group deployers --allow-ip 10.0.0.0/8 -q)
# the token is shown once (captured here; at a terminal it is also copied to the clipboard for 45 s)
apikeys list                                      # masked table: status, created, expires, last used, …
printf '%s\n' "$TOKEN" | apikeys verify --scope deploy:write --ip 10.1.2.3   # exit 0 = valid
NEW_TOKEN=$(apikeys rotate ci-deploy --grace 1h --yes -q)   # the old token works for one more hour
printf '%s\n' "$NEW_TOKEN" | apikeys verify --scope deploy:read --ip 10.9.9.9
apikeys revoke ci-deploy --reason "leaked" --yes  # the new key and the old one in its grace period
apikeys log --key ci-deploy                       # who did what, when
