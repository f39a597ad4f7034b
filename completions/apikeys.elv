
use builtin;
use str;

set edit:completion:arg-completer[apikeys] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'apikeys'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'apikeys'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create a new store'
            cand passwd 'Change the passphrase or the key-file slot, without touching the keys'
            cand create 'Mint a new key; its token is shown once'
            cand list 'List keys, masked'
            cand show 'Show every field of one key, and its audit events'
            cand revoke 'Make keys inactive (reversible with activate)'
            cand activate 'Make inactive keys active again'
            cand edit 'Change a key''s settings (never its secret)'
            cand delete 'Remove keys for good'
            cand import 'Create many keys from JSON lines in one write; tokens to a new 0600 file'
            cand scan 'Find leaked tokens in files, git history or stdin, and say which are live'
            cand rotate 'Mint a successor that takes over the name; the old key stays valid for a grace period'
            cand verify 'Check a token read from stdin; the exit code tells the result'
            cand serve 'Answer forward-auth verification requests over HTTP (nginx, Caddy, Traefik, Envoy)'
            cand admin 'Admins of a shared store, each with a credential of their own; alone, lists them'
            cand group 'Manage permission groups (named sets of scopes); alone, lists them'
            cand policy 'Show or set the store-wide lifetime policy; alone, shows it'
            cand verifier 'Verify-only snapshots for CI runners and gateway fleets'
            cand usage 'What every key did: answers over time by outcome (a chart, or rows for billing); `usage import` merges the records of verifier nodes'
            cand top 'The busiest keys, owners or client addresses, and revoked keys still presented'
            cand console 'A local web console: the keys table, forms and charts, for this admin, on loopback'
            cand status 'The store at a glance: slots, policy, counts, stale keys, last write'
            cand backup 'Copy the store to a new file, under the lock, and prove the copy opens'
            cand log 'Show the audit trail'
            cand completions 'Print shell completions'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;init'= {
            cand --with-key-file 'Also write a random key file (0600) that unlocks the store without the passphrase'
            cand --admin 'The first admin''s name, the actor of the audit log [default: passphrase; the key file''s admin is then NAME-key-file]'
            cand --kdf-memory 'Argon2id memory in MiB [default: 64]'
            cand --kdf-iterations 'Argon2id iterations [default: 3]'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;passwd'= {
            cand --new-passphrase-file 'Read the new passphrase from this file (else APIKEYS_NEW_PASSPHRASE, else asked twice)'
            cand --add-key-file 'Write a new random key file (0600) and let it unlock the store, replacing any old one'
            cand --kdf-memory 'Argon2id memory in MiB [default: 64]'
            cand --kdf-iterations 'Argon2id iterations [default: 3]'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand --remove-key-file 'Remove the key-file slot: the old key file stops working'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;create'= {
            cand --name 'The key''s unique name (1-64 printable characters); without it a terminal runs a wizard'
            cand --expires '1h, 12h, 1d, 5d, 1y, a duration (30m, 10d, 6w), a date, an RFC 3339 time, or never'
            cand --scope 'A scope the key grants (repeatable)'
            cand --group 'A permission group whose scopes the key also grants (repeatable)'
            cand --allow-ip 'An IP address or CIDR the key may be used from (repeatable; none = any)'
            cand --prefix 'The token prefix, [a-z][a-z0-9]{0,15}'
            cand --description 'A free-text description'
            cand --owner 'Who the key belongs to (a customer, a service; up to 128 characters)'
            cand --meta 'A KEY=VALUE pair returned by verify and serve (repeatable, at most 16)'
            cand --uses 'How many times the key may be used (each valid verify takes one, or its cost)'
            cand --refill 'With --uses: set the remaining uses back to N every DUR from creation (1000/30d)'
            cand --rate 'At most N valid answers in any window of DUR, e.g. 100/1s (repeatable: all must pass)'
            cand --secret-file 'Write the token to this new 0600 file instead of stdout'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand --no-clipboard 'Do not copy the token to the clipboard'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;list'= {
            cand --status 'Only keys of this status'
            cand --expiring-within 'Only active keys that expire within this duration (e.g. 7d); a superseded key in its grace period ends as planned and is not listed (its successor is)'
            cand --scope 'Only keys granting this scope (their own or through a group)'
            cand --search 'Only keys whose name, id or description contains this text (case-insensitive)'
            cand --unused-since 'Only keys not used for this long (e.g. 90d; never-used keys once that old): stale keys'
            cand --owner 'Only keys of this owner'
            cand --group 'Only keys in this group'
            cand --meta 'Only keys with this meta pair (repeatable: all must match)'
            cand --created-before 'Only keys created before this date, RFC 3339 time, or duration back (30d)'
            cand --columns 'The table''s columns, comma-separated, from: name, id, key, status, created, expires, last_used, created_by, groups, scopes, allowed_ips, owner, uses_left (shown in that order; json and csv always carry every field)'
            cand --sort 'Order the keys by this field (json and csv too) [default: created]'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand --reverse 'With --sort: the other way round'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;show'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;revoke'= {
            cand --owner 'Only keys of this owner'
            cand --group 'Only keys in this group'
            cand --meta 'Only keys with this meta pair (repeatable: all must match)'
            cand --created-before 'Only keys created before this date, RFC 3339 time, or duration back (30d)'
            cand --reason 'Why, for the audit log'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;activate'= {
            cand --owner 'Only keys of this owner'
            cand --group 'Only keys in this group'
            cand --meta 'Only keys with this meta pair (repeatable: all must match)'
            cand --created-before 'Only keys created before this date, RFC 3339 time, or duration back (30d)'
            cand --status 'Only keys with this status (inactive: revoked; expired keys need a new expiry first)'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;edit'= {
            cand --name 'A new name'
            cand --expires 'A new expiry, within the max lifetime counted from creation'
            cand --add-scope 'Grant a scope (repeatable)'
            cand --remove-scope 'Withdraw a scope (repeatable)'
            cand --add-group 'Add the key to a group (repeatable)'
            cand --remove-group 'Take the key out of a group (repeatable)'
            cand --allow-ip 'Allow an IP address or CIDR (repeatable)'
            cand --remove-ip 'Stop allowing an IP address or CIDR (repeatable)'
            cand --description 'A new description'
            cand --owner 'A new owner'
            cand --meta 'Set a KEY=VALUE pair (repeatable)'
            cand --remove-meta 'Remove a meta pair by its key (repeatable)'
            cand --rate 'Set the rate limits to these (repeatable), or `none` to remove them'
            cand --refill 'Set the remaining uses back to N every DUR from creation, or `none`'
            cand --uses 'Refill the remaining uses to N, or `none` to remove the limit'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;delete'= {
            cand --owner 'Only keys of this owner'
            cand --group 'Only keys in this group'
            cand --meta 'Only keys with this meta pair (repeatable: all must match)'
            cand --created-before 'Only keys created before this date, RFC 3339 time, or duration back (30d)'
            cand --status 'Only keys with this status'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;import'= {
            cand --secret-file 'Where the tokens go: a new 0600 file of JSON lines {name, id, token}'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;scan'= {
            cand --baseline 'Report only findings not recorded in this baseline (or recorded, but live again)'
            cand --write-baseline 'Record the findings in FILE as a baseline (fingerprints: key id, path, line content; never a secret) and exit 0'
            cand --since-commit 'Scan only the commits of HEAD not reachable from REF (what a branch adds); implies --git'
            cand --verifier 'Verify from this verify-only snapshot instead of the store'
            cand --verifier-key 'The verifier key file that opens the snapshot'
            cand --usage-log 'With --verifier: append the uses granted here, for `apikeys usage import`; verifies sharing one log share its ledger of a limited key''s uses'
            cand --max-age 'With --verifier: answer stale_snapshot (17, HTTP 503) once the snapshot is older than this (fail closed when exports stop arriving)'
            cand --state 'With --verifier: keep the rollback floor (the highest generation accepted) in this file; an older snapshot is refused (exit 4) [default: verifier-state in the platform state dir]'
            cand --accept-generation 'With --verifier: accept this generation and newer again, lowering the floor on purpose'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand --git 'Every blob of every commit of the repository (at PATH, or here)'
            cand --staged 'What `git commit` is about to record (the index)'
            cand --stdin 'Scan stdin (also given as the path `-`), to its end whatever its size'
            cand --revoke 'Revoke the live keys found (confirmation, or --yes)'
            cand --verbose 'Name every file skipped and why (ignored by .gitignore, binary, not readable, a symlink), and how many findings an `apikeys:allow` comment kept out'
            cand --no-ignore 'Also read files that .gitignore (.ignore, git''s excludes) would skip: a leak often sits in an ignored .env or logs/'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;rotate'= {
            cand --grace 'How long the old key stays valid (e.g. 1h; 0 = it expires at once)'
            cand --expires 'The successor''s expiry [default: the old key''s lifetime, counted from now, within the policy]'
            cand --secret-file 'Write the token to this new 0600 file instead of stdout'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand --no-clipboard 'Do not copy the token to the clipboard'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;verify'= {
            cand --ip 'The client address to check against the key''s allowed IPs'
            cand --scope 'A scope the key must grant (repeatable)'
            cand --cost 'What this request weighs: it takes N from every rate bucket and N uses (1 to 1000)'
            cand --at 'Answer as of TIME (RFC 3339, or YYYY-MM-DD for midnight UTC) instead of now: expiry, grace periods, refills and rates as they will (or did) stand. Records nothing; limits are judged from the state as stored, without --counters'
            cand --verifier 'Verify from this verify-only snapshot instead of the store'
            cand --verifier-key 'The verifier key file that opens the snapshot'
            cand --usage-log 'With --verifier: append the uses granted here, for `apikeys usage import`; verifies sharing one log share its ledger of a limited key''s uses'
            cand --max-age 'With --verifier: answer stale_snapshot (17, HTTP 503) once the snapshot is older than this (fail closed when exports stop arriving)'
            cand --state 'With --verifier: keep the rollback floor (the highest generation accepted) in this file; an older snapshot is refused (exit 4) [default: verifier-state in the platform state dir]'
            cand --accept-generation 'With --verifier: accept this generation and newer again, lowering the floor on purpose'
            cand --counters 'Keep rate buckets and remaining uses in Redis, shared by every node and runner: redis://[USER@]HOST:PORT[/DB], rediss://…, unix://PATH, redis+cluster://H:P,H:P. Give the password with --counters-password-file: argv is visible to every user'
            cand --counters-password-file 'Read the Redis password from the first line of this file (kept out of argv)'
            cand --counters-timeout 'Answer counters_unavailable (19, HTTP 503) for a limited key when Redis does not answer within this time'
            cand --token 'Refused, for the same reason (and so that clap does not suggest `--store` for it)'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand --batch 'Read one token per line; print one json result per line'
            cand --explain 'Print each check in order with its outcome on stderr (never the secret)'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;serve'= {
            cand --listen 'Where to listen: IP:PORT or unix:PATH (repeatable) [default: 127.0.0.1:8080]'
            cand --trusted-proxy 'A proxy whose client-IP header is believed (repeatable)'
            cand --client-ip-header 'The one header that names the client behind a trusted proxy; every other is ignored (not one that carries the token, the scopes or an answer)'
            cand --max-conns-per-ip 'The most connections one client address may hold at once (a --trusted-proxy is not held to it: the gateway carries every client)'
            cand --verifier 'Verify from this verify-only snapshot instead of the store'
            cand --verifier-key 'The verifier key file that opens the snapshot'
            cand --usage-log 'With --verifier: append the uses granted here, for `apikeys usage import`; verifies sharing one log share its ledger of a limited key''s uses'
            cand --max-age 'With --verifier: answer stale_snapshot (17, HTTP 503) once the snapshot is older than this (fail closed when exports stop arriving)'
            cand --state 'With --verifier: keep the rollback floor (the highest generation accepted) in this file; an older snapshot is refused (exit 4) [default: verifier-state in the platform state dir]'
            cand --accept-generation 'With --verifier: accept this generation and newer again, lowering the floor on purpose'
            cand --counters 'Keep rate buckets and remaining uses in Redis, shared by every node and runner: redis://[USER@]HOST:PORT[/DB], rediss://…, unix://PATH, redis+cluster://H:P,H:P. Give the password with --counters-password-file: argv is visible to every user'
            cand --counters-password-file 'Read the Redis password from the first line of this file (kept out of argv)'
            cand --counters-timeout 'Answer counters_unavailable (19, HTTP 503) for a limited key when Redis does not answer within this time'
            cand --threads 'Worker threads answering requests [default: the cores less one, at least 1]'
            cand --flush-every 'How often use records are written back to the store'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand --access-log 'Log one line per request (time, client IP, code, key id, latency), written a few times a second'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;admin'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand list 'List the admins: each slot''s kind, fingerprint, when it was added and last used'
            cand add 'Add an admin with a credential of their own'
            cand remove 'Remove an admin and re-key the store: their credential opens nothing written after'
            cand rename 'Rename an admin (the audit log keeps the old name for what was done before; `log --admin NEW` and `admin list` follow the rename back)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;admin;list'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;admin;add'= {
            cand --new-passphrase-file 'With --passphrase: read it from this file instead of asking'
            cand --key-file 'Write a new random key file (0600) at PATH, which must not exist'
            cand --ssh-key 'An SSH public key file (ssh-ed25519 or ssh-rsa); they unlock with --identity'
            cand --age 'An age X25519 recipient (age1…); they unlock with --identity'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand --passphrase 'A passphrase, asked twice on a terminal (or read from --new-passphrase-file)'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;admin;remove'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;admin;rename'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;admin;help'= {
            cand list 'List the admins: each slot''s kind, fingerprint, when it was added and last used'
            cand add 'Add an admin with a credential of their own'
            cand remove 'Remove an admin and re-key the store: their credential opens nothing written after'
            cand rename 'Rename an admin (the audit log keeps the old name for what was done before; `log --admin NEW` and `admin list` follow the rename back)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;admin;help;list'= {
        }
        &'apikeys;admin;help;add'= {
        }
        &'apikeys;admin;help;remove'= {
        }
        &'apikeys;admin;help;rename'= {
        }
        &'apikeys;admin;help;help'= {
        }
        &'apikeys;group'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand create 'Create a group with its scopes'
            cand list 'List groups, their scopes and how many keys use them'
            cand edit 'Change a group''s scopes'
            cand delete 'Delete a group; if keys use it, --yes also removes it from them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;group;create'= {
            cand --scope 'A scope of the group (repeatable, at least one)'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;group;list'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;group;edit'= {
            cand --add-scope 'Add a scope (repeatable)'
            cand --remove-scope 'Remove a scope (repeatable)'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;group;delete'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;group;help'= {
            cand create 'Create a group with its scopes'
            cand list 'List groups, their scopes and how many keys use them'
            cand edit 'Change a group''s scopes'
            cand delete 'Delete a group; if keys use it, --yes also removes it from them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;group;help;create'= {
        }
        &'apikeys;group;help;list'= {
        }
        &'apikeys;group;help;edit'= {
        }
        &'apikeys;group;help;delete'= {
        }
        &'apikeys;group;help;help'= {
        }
        &'apikeys;policy'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand show 'Show the policy'
            cand set 'Set a rule: `max-lifetime DUR|none`, `default-lifetime DUR` or `history-days N`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;policy;show'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;policy;set'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;policy;help'= {
            cand show 'Show the policy'
            cand set 'Set a rule: `max-lifetime DUR|none`, `default-lifetime DUR` or `history-days N`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;policy;help;show'= {
        }
        &'apikeys;policy;help;set'= {
        }
        &'apikeys;policy;help;help'= {
        }
        &'apikeys;verifier'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand export 'Write a verify-only snapshot (sealed and signed) for machines that only check keys'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;verifier;export'= {
            cand --out 'The snapshot file to write (replaced atomically)'
            cand --verifier-key 'The verifier key file: reused when present; created on a store''s first export, or later with --new-verifier-key'
            cand --format-version 'Snapshot format: 2 (block-indexed, the default) or 1 (one sealed section, for nodes running a release from before format 2)'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand --new-verifier-key 'Create a new verifier key at PATH although this store already exported with another (every node must then get the new key file)'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;verifier;help'= {
            cand export 'Write a verify-only snapshot (sealed and signed) for machines that only check keys'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;verifier;help;export'= {
        }
        &'apikeys;verifier;help;help'= {
        }
        &'apikeys;usage'= {
            cand --key 'A key, for a key whose name is a word of this command (`import`)'
            cand --owner 'Only the keys of this owner'
            cand --since 'From this long ago (30m, 24h, 7d) or this time (RFC 3339, YYYY-MM-DD); default 24h'
            cand --until 'Up to this time, excluded (RFC 3339, YYYY-MM-DD); default now'
            cand --by 'The bucket width; default by the window (minutes up to 6 h, hours up to 14 days)'
            cand --outcome 'Only answers with this outcome (repeatable): valid, unknown, inactive, expired, …'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand import 'Merge usage logs written by `serve --verifier … --usage-log` (or verify) into the store and its history'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;usage;import'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;usage;help'= {
            cand import 'Merge usage logs written by `serve --verifier … --usage-log` (or verify) into the store and its history'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;usage;help;import'= {
        }
        &'apikeys;usage;help;help'= {
        }
        &'apikeys;top'= {
            cand --since 'From this long ago (24h, 7d) or this time; default 24h'
            cand --by 'Rank keys, owners or client addresses'
            cand --outcome 'Only answers with this outcome (repeatable)'
            cand -n 'How many to show'
            cand --limit 'How many to show'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;console'= {
            cand --listen 'Where to listen: a loopback address (127.0.0.1:PORT, [::1]:PORT; port 0 picks one) or unix:PATH. Any other address is refused'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand --open 'Open the login link in the default browser (xdg-open)'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;status'= {
            cand --expiring-within 'List the live keys that expire within this duration (json: `expiring`)'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand --fail 'With --expiring-within: exit 7 when any key expires within it'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;backup'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;log'= {
            cand --key 'Only events of this key (name or id; deleted keys too)'
            cand --since 'Only events since this date, RFC 3339 time or duration back (7d), or after this sequence number (a plain number: a SIEM''s cursor)'
            cand --admin 'Only what this admin did (the slot that unlocked the store; --actor notes are not admins; one the store never had is exit 5)'
            cand --action 'Only events of this action (create, revoke, activate, edit, revive, rotate, delete, group create, policy set, admin add, …; an unknown one is a usage error listing them)'
            cand -n 'Only the last N events'
            cand --last 'Only the last N events'
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;completions'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;man'= {
            cand --store 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]'
            cand --key-file 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)'
            cand --identity 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)'
            cand --passphrase-file 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)'
            cand --actor 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)'
            cand --format 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]'
            cand -y 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand --yes 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
            cand -q 'Print only what a script needs (the token, or nothing)'
            cand --quiet 'Print only what a script needs (the token, or nothing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'apikeys;help'= {
            cand init 'Create a new store'
            cand passwd 'Change the passphrase or the key-file slot, without touching the keys'
            cand create 'Mint a new key; its token is shown once'
            cand list 'List keys, masked'
            cand show 'Show every field of one key, and its audit events'
            cand revoke 'Make keys inactive (reversible with activate)'
            cand activate 'Make inactive keys active again'
            cand edit 'Change a key''s settings (never its secret)'
            cand delete 'Remove keys for good'
            cand import 'Create many keys from JSON lines in one write; tokens to a new 0600 file'
            cand scan 'Find leaked tokens in files, git history or stdin, and say which are live'
            cand rotate 'Mint a successor that takes over the name; the old key stays valid for a grace period'
            cand verify 'Check a token read from stdin; the exit code tells the result'
            cand serve 'Answer forward-auth verification requests over HTTP (nginx, Caddy, Traefik, Envoy)'
            cand admin 'Admins of a shared store, each with a credential of their own; alone, lists them'
            cand group 'Manage permission groups (named sets of scopes); alone, lists them'
            cand policy 'Show or set the store-wide lifetime policy; alone, shows it'
            cand verifier 'Verify-only snapshots for CI runners and gateway fleets'
            cand usage 'What every key did: answers over time by outcome (a chart, or rows for billing); `usage import` merges the records of verifier nodes'
            cand top 'The busiest keys, owners or client addresses, and revoked keys still presented'
            cand console 'A local web console: the keys table, forms and charts, for this admin, on loopback'
            cand status 'The store at a glance: slots, policy, counts, stale keys, last write'
            cand backup 'Copy the store to a new file, under the lock, and prove the copy opens'
            cand log 'Show the audit trail'
            cand completions 'Print shell completions'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apikeys;help;init'= {
        }
        &'apikeys;help;passwd'= {
        }
        &'apikeys;help;create'= {
        }
        &'apikeys;help;list'= {
        }
        &'apikeys;help;show'= {
        }
        &'apikeys;help;revoke'= {
        }
        &'apikeys;help;activate'= {
        }
        &'apikeys;help;edit'= {
        }
        &'apikeys;help;delete'= {
        }
        &'apikeys;help;import'= {
        }
        &'apikeys;help;scan'= {
        }
        &'apikeys;help;rotate'= {
        }
        &'apikeys;help;verify'= {
        }
        &'apikeys;help;serve'= {
        }
        &'apikeys;help;admin'= {
            cand list 'List the admins: each slot''s kind, fingerprint, when it was added and last used'
            cand add 'Add an admin with a credential of their own'
            cand remove 'Remove an admin and re-key the store: their credential opens nothing written after'
            cand rename 'Rename an admin (the audit log keeps the old name for what was done before; `log --admin NEW` and `admin list` follow the rename back)'
        }
        &'apikeys;help;admin;list'= {
        }
        &'apikeys;help;admin;add'= {
        }
        &'apikeys;help;admin;remove'= {
        }
        &'apikeys;help;admin;rename'= {
        }
        &'apikeys;help;group'= {
            cand create 'Create a group with its scopes'
            cand list 'List groups, their scopes and how many keys use them'
            cand edit 'Change a group''s scopes'
            cand delete 'Delete a group; if keys use it, --yes also removes it from them'
        }
        &'apikeys;help;group;create'= {
        }
        &'apikeys;help;group;list'= {
        }
        &'apikeys;help;group;edit'= {
        }
        &'apikeys;help;group;delete'= {
        }
        &'apikeys;help;policy'= {
            cand show 'Show the policy'
            cand set 'Set a rule: `max-lifetime DUR|none`, `default-lifetime DUR` or `history-days N`'
        }
        &'apikeys;help;policy;show'= {
        }
        &'apikeys;help;policy;set'= {
        }
        &'apikeys;help;verifier'= {
            cand export 'Write a verify-only snapshot (sealed and signed) for machines that only check keys'
        }
        &'apikeys;help;verifier;export'= {
        }
        &'apikeys;help;usage'= {
            cand import 'Merge usage logs written by `serve --verifier … --usage-log` (or verify) into the store and its history'
        }
        &'apikeys;help;usage;import'= {
        }
        &'apikeys;help;top'= {
        }
        &'apikeys;help;console'= {
        }
        &'apikeys;help;status'= {
        }
        &'apikeys;help;backup'= {
        }
        &'apikeys;help;log'= {
        }
        &'apikeys;help;completions'= {
        }
        &'apikeys;help;man'= {
        }
        &'apikeys;help;help'= {
        }
    ]
    $completions[$command]
}
