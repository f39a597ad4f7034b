#!/usr/bin/env bash
# What are my keys doing? Who uses a key, how much, from where; what is being refused; and
# is a revoked key still being presented (a leak in use)?
set -euo pipefail
apikeys usage --since 24h                         # a chart of every answer, stacked by outcome
apikeys top --by key -n 5                         # the busiest keys, and where they are used from
apikeys top --outcome inactive --outcome expired  # revoked or expired keys still presented
apikeys show partner-acme                         # its last 7 days, denials by code, last refusals
# For billing: one row per day, key and outcome, for a spreadsheet.
apikeys usage --owner acme --since 30d --by day --format csv > acme-usage.csv
echo "wrote acme-usage.csv ($(($(wc -l < acme-usage.csv) - 1)) rows)"
