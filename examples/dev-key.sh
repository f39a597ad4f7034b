#!/usr/bin/env bash
# A developer mints a short-lived key for local testing; it expires on its own in an hour.
set -euo pipefail
API_TOKEN=$(apikeys create --name "dev-$(date +%s)" --expires 1h --scope local:test --no-clipboard -q)
export API_TOKEN
printf '%s\n' "$API_TOKEN" | apikeys verify --scope local:test
