# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_apikeys_global_optspecs
    string join \n store= key-file= identity= passphrase-file= actor= format= y/yes q/quiet h/help V/version
end

function __fish_apikeys_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_apikeys_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_apikeys_using_subcommand
    set -l cmd (__fish_apikeys_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c apikeys -n "__fish_apikeys_needs_command" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_needs_command" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_needs_command" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_needs_command" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_needs_command" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_needs_command" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_needs_command" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_needs_command" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_needs_command" -s V -l version -d 'Print version'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "init" -d 'Create a new store'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "passwd" -d 'Change the passphrase or the key-file slot, without touching the keys'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "create" -d 'Mint a new key; its token is shown once'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "list" -d 'List keys, masked'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "show" -d 'Show every field of one key, and its audit events'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "revoke" -d 'Make keys inactive (reversible with activate)'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "activate" -d 'Make inactive keys active again'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "edit" -d 'Change a key\'s settings (never its secret)'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "delete" -d 'Remove keys for good'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "import" -d 'Create many keys from JSON lines in one write; tokens to a new 0600 file'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "scan" -d 'Find leaked tokens in files, git history or stdin, and say which are live'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "rotate" -d 'Mint a successor that takes over the name; the old key stays valid for a grace period'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "verify" -d 'Check a token read from stdin; the exit code tells the result'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "serve" -d 'Answer forward-auth verification requests over HTTP (nginx, Caddy, Traefik, Envoy)'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "admin" -d 'Admins of a shared store, each with a credential of their own; alone, lists them'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "group" -d 'Manage permission groups (named sets of scopes); alone, lists them'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "policy" -d 'Show or set the store-wide lifetime policy; alone, shows it'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "verifier" -d 'Verify-only snapshots for CI runners and gateway fleets'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "usage" -d 'What every key did: answers over time by outcome (a chart, or rows for billing); `usage import` merges the records of verifier nodes'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "top" -d 'The busiest keys, owners or client addresses, and revoked keys still presented'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "console" -d 'A local web console: the keys table, forms and charts, for this admin, on loopback'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "status" -d 'The store at a glance: slots, policy, counts, stale keys, last write'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "backup" -d 'Copy the store to a new file, under the lock, and prove the copy opens'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "log" -d 'Show the audit trail'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c apikeys -n "__fish_apikeys_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -l with-key-file -d 'Also write a random key file (0600) that unlocks the store without the passphrase' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -l admin -d 'The first admin\'s name, the actor of the audit log [default: passphrase; the key file\'s admin is then NAME-key-file]' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -l kdf-memory -d 'Argon2id memory in MiB [default: 64]' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -l kdf-iterations -d 'Argon2id iterations [default: 3]' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -l new-passphrase-file -d 'Read the new passphrase from this file (else APIKEYS_NEW_PASSPHRASE, else asked twice)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -l add-key-file -d 'Write a new random key file (0600) and let it unlock the store, replacing any old one' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -l kdf-memory -d 'Argon2id memory in MiB [default: 64]' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -l kdf-iterations -d 'Argon2id iterations [default: 3]' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -l remove-key-file -d 'Remove the key-file slot: the old key file stops working'
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand passwd" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l name -d 'The key\'s unique name (1-64 printable characters); without it a terminal runs a wizard' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l expires -d '1h, 12h, 1d, 5d, 1y, a duration (30m, 10d, 6w), a date, an RFC 3339 time, or never' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l scope -d 'A scope the key grants (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l group -d 'A permission group whose scopes the key also grants (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l allow-ip -d 'An IP address or CIDR the key may be used from (repeatable; none = any)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l prefix -d 'The token prefix, [a-z][a-z0-9]{0,15}' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l description -d 'A free-text description' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l owner -d 'Who the key belongs to (a customer, a service; up to 128 characters)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l meta -d 'A KEY=VALUE pair returned by verify and serve (repeatable, at most 16)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l uses -d 'How many times the key may be used (each valid verify takes one, or its cost)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l refill -d 'With --uses: set the remaining uses back to N every DUR from creation (1000/30d)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l rate -d 'At most N valid answers in any window of DUR, e.g. 100/1s (repeatable: all must pass)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l secret-file -d 'Write the token to this new 0600 file instead of stdout' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -l no-clipboard -d 'Do not copy the token to the clipboard'
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l status -d 'Only keys of this status' -r -f -a "active\t''
inactive\t''
expired\t''
rotating\t''
all\t''"
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l expiring-within -d 'Only active keys that expire within this duration (e.g. 7d); a superseded key in its grace period ends as planned and is not listed (its successor is)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l scope -d 'Only keys granting this scope (their own or through a group)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l search -d 'Only keys whose name, id or description contains this text (case-insensitive)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l unused-since -d 'Only keys not used for this long (e.g. 90d; never-used keys once that old): stale keys' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l owner -d 'Only keys of this owner' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l group -d 'Only keys in this group' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l meta -d 'Only keys with this meta pair (repeatable: all must match)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l created-before -d 'Only keys created before this date, RFC 3339 time, or duration back (30d)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l columns -d 'The table\'s columns, comma-separated, from: name, id, key, status, created, expires, last_used, created_by, groups, scopes, allowed_ips, owner, uses_left (shown in that order; json and csv always carry every field)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l sort -d 'Order the keys by this field (json and csv too) [default: created]' -r -f -a "name\t''
created\t''
expires\t'Soonest first; keys that never expire last'
last-used\t'Most recently used first; never-used keys last'
status\t''
owner\t''"
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -l reverse -d 'With --sort: the other way round'
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand show" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand show" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand show" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand show" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand show" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand show" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand show" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand show" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -l owner -d 'Only keys of this owner' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -l group -d 'Only keys in this group' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -l meta -d 'Only keys with this meta pair (repeatable: all must match)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -l created-before -d 'Only keys created before this date, RFC 3339 time, or duration back (30d)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -l reason -d 'Why, for the audit log' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -l owner -d 'Only keys of this owner' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -l group -d 'Only keys in this group' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -l meta -d 'Only keys with this meta pair (repeatable: all must match)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -l created-before -d 'Only keys created before this date, RFC 3339 time, or duration back (30d)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -l status -d 'Only keys with this status (inactive: revoked; expired keys need a new expiry first)' -r -f -a "expired\t'Past their expiry'
inactive\t'Revoked'"
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand activate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l name -d 'A new name' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l expires -d 'A new expiry, within the max lifetime counted from creation' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l add-scope -d 'Grant a scope (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l remove-scope -d 'Withdraw a scope (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l add-group -d 'Add the key to a group (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l remove-group -d 'Take the key out of a group (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l allow-ip -d 'Allow an IP address or CIDR (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l remove-ip -d 'Stop allowing an IP address or CIDR (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l description -d 'A new description' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l owner -d 'A new owner' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l meta -d 'Set a KEY=VALUE pair (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l remove-meta -d 'Remove a meta pair by its key (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l rate -d 'Set the rate limits to these (repeatable), or `none` to remove them' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l refill -d 'Set the remaining uses back to N every DUR from creation, or `none`' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l uses -d 'Refill the remaining uses to N, or `none` to remove the limit' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -l owner -d 'Only keys of this owner' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -l group -d 'Only keys in this group' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -l meta -d 'Only keys with this meta pair (repeatable: all must match)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -l created-before -d 'Only keys created before this date, RFC 3339 time, or duration back (30d)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -l status -d 'Only keys with this status' -r -f -a "expired\t'Past their expiry'
inactive\t'Revoked'"
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand import" -l secret-file -d 'Where the tokens go: a new 0600 file of JSON lines {name, id, token}' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand import" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand import" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand import" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand import" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand import" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand import" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand import" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand import" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l baseline -d 'Report only findings not recorded in this baseline (or recorded, but live again)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l write-baseline -d 'Record the findings in FILE as a baseline (fingerprints: key id, path, line content; never a secret) and exit 0' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l since-commit -d 'Scan only the commits of HEAD not reachable from REF (what a branch adds); implies --git' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l verifier -d 'Verify from this verify-only snapshot instead of the store' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l verifier-key -d 'The verifier key file that opens the snapshot' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l usage-log -d 'With --verifier: append the uses granted here, for `apikeys usage import`; verifies sharing one log share its ledger of a limited key\'s uses' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l max-age -d 'With --verifier: answer stale_snapshot (17, HTTP 503) once the snapshot is older than this (fail closed when exports stop arriving)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l state -d 'With --verifier: keep the rollback floor (the highest generation accepted) in this file; an older snapshot is refused (exit 4) [default: verifier-state in the platform state dir]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l accept-generation -d 'With --verifier: accept this generation and newer again, lowering the floor on purpose' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l git -d 'Every blob of every commit of the repository (at PATH, or here)'
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l staged -d 'What `git commit` is about to record (the index)'
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l stdin -d 'Scan stdin (also given as the path `-`), to its end whatever its size'
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l revoke -d 'Revoke the live keys found (confirmation, or --yes)'
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l verbose -d 'Name every file skipped and why (ignored by .gitignore, binary, not readable, a symlink), and how many findings an `apikeys:allow` comment kept out'
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -l no-ignore -d 'Also read files that .gitignore (.ignore, git\'s excludes) would skip: a leak often sits in an ignored .env or logs/'
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -l grace -d 'How long the old key stays valid (e.g. 1h; 0 = it expires at once)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -l expires -d 'The successor\'s expiry [default: the old key\'s lifetime, counted from now, within the policy]' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -l secret-file -d 'Write the token to this new 0600 file instead of stdout' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -l no-clipboard -d 'Do not copy the token to the clipboard'
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand rotate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l ip -d 'The client address to check against the key\'s allowed IPs' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l scope -d 'A scope the key must grant (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l cost -d 'What this request weighs: it takes N from every rate bucket and N uses (1 to 1000)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l at -d 'Answer as of TIME (RFC 3339, or YYYY-MM-DD for midnight UTC) instead of now: expiry, grace periods, refills and rates as they will (or did) stand. Records nothing; limits are judged from the state as stored, without --counters' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l verifier -d 'Verify from this verify-only snapshot instead of the store' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l verifier-key -d 'The verifier key file that opens the snapshot' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l usage-log -d 'With --verifier: append the uses granted here, for `apikeys usage import`; verifies sharing one log share its ledger of a limited key\'s uses' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l max-age -d 'With --verifier: answer stale_snapshot (17, HTTP 503) once the snapshot is older than this (fail closed when exports stop arriving)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l state -d 'With --verifier: keep the rollback floor (the highest generation accepted) in this file; an older snapshot is refused (exit 4) [default: verifier-state in the platform state dir]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l accept-generation -d 'With --verifier: accept this generation and newer again, lowering the floor on purpose' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l counters -d 'Keep rate buckets and remaining uses in Redis, shared by every node and runner: redis://[USER@]HOST:PORT[/DB], rediss://…, unix://PATH, redis+cluster://H:P,H:P. Give the password with --counters-password-file: argv is visible to every user' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l counters-password-file -d 'Read the Redis password from the first line of this file (kept out of argv)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l counters-timeout -d 'Answer counters_unavailable (19, HTTP 503) for a limited key when Redis does not answer within this time' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l token -d 'Refused, for the same reason (and so that clap does not suggest `--store` for it)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l batch -d 'Read one token per line; print one json result per line'
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -l explain -d 'Print each check in order with its outcome on stderr (never the secret)'
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l listen -d 'Where to listen: IP:PORT or unix:PATH (repeatable) [default: 127.0.0.1:8080]' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l trusted-proxy -d 'A proxy whose client-IP header is believed (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l client-ip-header -d 'The one header that names the client behind a trusted proxy; every other is ignored (not one that carries the token, the scopes or an answer)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l max-conns-per-ip -d 'The most connections one client address may hold at once (a --trusted-proxy is not held to it: the gateway carries every client)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l verifier -d 'Verify from this verify-only snapshot instead of the store' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l verifier-key -d 'The verifier key file that opens the snapshot' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l usage-log -d 'With --verifier: append the uses granted here, for `apikeys usage import`; verifies sharing one log share its ledger of a limited key\'s uses' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l max-age -d 'With --verifier: answer stale_snapshot (17, HTTP 503) once the snapshot is older than this (fail closed when exports stop arriving)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l state -d 'With --verifier: keep the rollback floor (the highest generation accepted) in this file; an older snapshot is refused (exit 4) [default: verifier-state in the platform state dir]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l accept-generation -d 'With --verifier: accept this generation and newer again, lowering the floor on purpose' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l counters -d 'Keep rate buckets and remaining uses in Redis, shared by every node and runner: redis://[USER@]HOST:PORT[/DB], rediss://…, unix://PATH, redis+cluster://H:P,H:P. Give the password with --counters-password-file: argv is visible to every user' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l counters-password-file -d 'Read the Redis password from the first line of this file (kept out of argv)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l counters-timeout -d 'Answer counters_unavailable (19, HTTP 503) for a limited key when Redis does not answer within this time' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l threads -d 'Worker threads answering requests [default: the cores less one, at least 1]' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l flush-every -d 'How often use records are written back to the store' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -l access-log -d 'Log one line per request (time, client IP, code, key id, latency), written a few times a second'
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -f -a "list" -d 'List the admins: each slot\'s kind, fingerprint, when it was added and last used'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -f -a "add" -d 'Add an admin with a credential of their own'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -f -a "remove" -d 'Remove an admin and re-key the store: their credential opens nothing written after'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -f -a "rename" -d 'Rename an admin (the audit log keeps the old name for what was done before; `log --admin NEW` and `admin list` follow the rename back)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and not __fish_seen_subcommand_from list add remove rename help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from list" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from list" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from list" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from list" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from list" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from list" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from list" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -l new-passphrase-file -d 'With --passphrase: read it from this file instead of asking' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -l key-file -d 'Write a new random key file (0600) at PATH, which must not exist' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -l ssh-key -d 'An SSH public key file (ssh-ed25519 or ssh-rsa); they unlock with --identity' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -l age -d 'An age X25519 recipient (age1…); they unlock with --identity' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -l passphrase -d 'A passphrase, asked twice on a terminal (or read from --new-passphrase-file)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from remove" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from remove" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from remove" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from remove" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from remove" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from remove" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from rename" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from rename" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from rename" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from rename" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from rename" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from rename" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from rename" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from rename" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the admins: each slot\'s kind, fingerprint, when it was added and last used'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add an admin with a credential of their own'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove an admin and re-key the store: their credential opens nothing written after'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "rename" -d 'Rename an admin (the audit log keeps the old name for what was done before; `log --admin NEW` and `admin list` follow the rename back)'
complete -c apikeys -n "__fish_apikeys_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -f -a "create" -d 'Create a group with its scopes'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -f -a "list" -d 'List groups, their scopes and how many keys use them'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -f -a "edit" -d 'Change a group\'s scopes'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -f -a "delete" -d 'Delete a group; if keys use it, --yes also removes it from them'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and not __fish_seen_subcommand_from create list edit delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from create" -l scope -d 'A scope of the group (repeatable, at least one)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from create" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from create" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from create" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from create" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from create" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from create" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from create" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from list" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from list" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from list" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from list" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from list" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from list" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from list" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from edit" -l add-scope -d 'Add a scope (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from edit" -l remove-scope -d 'Remove a scope (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from edit" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from edit" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from edit" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from edit" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from edit" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from edit" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from edit" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from edit" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from delete" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from delete" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from delete" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from delete" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from delete" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from delete" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a group with its scopes'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "list" -d 'List groups, their scopes and how many keys use them'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Change a group\'s scopes'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a group; if keys use it, --yes also removes it from them'
complete -c apikeys -n "__fish_apikeys_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -f -a "show" -d 'Show the policy'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -f -a "set" -d 'Set a rule: `max-lifetime DUR|none`, `default-lifetime DUR` or `history-days N`'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from show" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from show" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from show" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from show" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from show" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from show" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from show" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from set" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from set" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from set" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from set" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from set" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from set" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from set" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the policy'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set a rule: `max-lifetime DUR|none`, `default-lifetime DUR` or `history-days N`'
complete -c apikeys -n "__fish_apikeys_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and not __fish_seen_subcommand_from export help" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and not __fish_seen_subcommand_from export help" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and not __fish_seen_subcommand_from export help" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and not __fish_seen_subcommand_from export help" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and not __fish_seen_subcommand_from export help" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and not __fish_seen_subcommand_from export help" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and not __fish_seen_subcommand_from export help" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and not __fish_seen_subcommand_from export help" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and not __fish_seen_subcommand_from export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and not __fish_seen_subcommand_from export help" -f -a "export" -d 'Write a verify-only snapshot (sealed and signed) for machines that only check keys'
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and not __fish_seen_subcommand_from export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -l out -d 'The snapshot file to write (replaced atomically)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -l verifier-key -d 'The verifier key file: reused when present; created on a store\'s first export, or later with --new-verifier-key' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -l format-version -d 'Snapshot format: 2 (block-indexed, the default) or 1 (one sealed section, for nodes running a release from before format 2)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -l new-verifier-key -d 'Create a new verifier key at PATH although this store already exported with another (every node must then get the new key file)'
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write a verify-only snapshot (sealed and signed) for machines that only check keys'
complete -c apikeys -n "__fish_apikeys_using_subcommand verifier; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l key -d 'A key, for a key whose name is a word of this command (`import`)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l owner -d 'Only the keys of this owner' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l since -d 'From this long ago (30m, 24h, 7d) or this time (RFC 3339, YYYY-MM-DD); default 24h' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l until -d 'Up to this time, excluded (RFC 3339, YYYY-MM-DD); default now' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l by -d 'The bucket width; default by the window (minutes up to 6 h, hours up to 14 days)' -r -f -a "minute\t''
hour\t''
day\t''"
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l outcome -d 'Only answers with this outcome (repeatable): valid, unknown, inactive, expired, …' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -a "import" -d 'Merge usage logs written by `serve --verifier … --usage-log` (or verify) into the store and its history'
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and not __fish_seen_subcommand_from import help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and __fish_seen_subcommand_from import" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and __fish_seen_subcommand_from import" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and __fish_seen_subcommand_from import" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and __fish_seen_subcommand_from import" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and __fish_seen_subcommand_from import" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and __fish_seen_subcommand_from import" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and __fish_seen_subcommand_from import" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "import" -d 'Merge usage logs written by `serve --verifier … --usage-log` (or verify) into the store and its history'
complete -c apikeys -n "__fish_apikeys_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -l since -d 'From this long ago (24h, 7d) or this time; default 24h' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -l by -d 'Rank keys, owners or client addresses' -r -f -a "key\t''
owner\t''
ip\t''"
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -l outcome -d 'Only answers with this outcome (repeatable)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -s n -l limit -d 'How many to show' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand top" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand console" -l listen -d 'Where to listen: a loopback address (127.0.0.1:PORT, [::1]:PORT; port 0 picks one) or unix:PATH. Any other address is refused' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand console" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand console" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand console" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand console" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand console" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand console" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand console" -l open -d 'Open the login link in the default browser (xdg-open)'
complete -c apikeys -n "__fish_apikeys_using_subcommand console" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand console" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand console" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand status" -l expiring-within -d 'List the live keys that expire within this duration (json: `expiring`)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand status" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand status" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand status" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand status" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand status" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand status" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand status" -l fail -d 'With --expiring-within: exit 7 when any key expires within it'
complete -c apikeys -n "__fish_apikeys_using_subcommand status" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand status" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand backup" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand backup" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand backup" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand backup" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand backup" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand backup" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand backup" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand backup" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -l key -d 'Only events of this key (name or id; deleted keys too)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -l since -d 'Only events since this date, RFC 3339 time or duration back (7d), or after this sequence number (a plain number: a SIEM\'s cursor)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -l admin -d 'Only what this admin did (the slot that unlocked the store; --actor notes are not admins; one the store never had is exit 5)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -l action -d 'Only events of this action (create, revoke, activate, edit, revive, rotate, delete, group create, policy set, admin add, …; an unknown one is a usage error listing them)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -s n -l last -d 'Only the last N events' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand completions" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand completions" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand completions" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand completions" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand completions" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand completions" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand completions" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand completions" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand man" -l store -d 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand man" -l key-file -d 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand man" -l identity -d 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand man" -l passphrase-file -d 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)' -r -F
complete -c apikeys -n "__fish_apikeys_using_subcommand man" -l actor -d 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)' -r
complete -c apikeys -n "__fish_apikeys_using_subcommand man" -l format -d 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]' -r -f -a "table\t''
json\t''
csv\t''
sarif\t'SARIF 2.1.0, for `scan`'"
complete -c apikeys -n "__fish_apikeys_using_subcommand man" -s y -l yes -d 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)'
complete -c apikeys -n "__fish_apikeys_using_subcommand man" -s q -l quiet -d 'Print only what a script needs (the token, or nothing)'
complete -c apikeys -n "__fish_apikeys_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "init" -d 'Create a new store'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "passwd" -d 'Change the passphrase or the key-file slot, without touching the keys'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "create" -d 'Mint a new key; its token is shown once'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "list" -d 'List keys, masked'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "show" -d 'Show every field of one key, and its audit events'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "revoke" -d 'Make keys inactive (reversible with activate)'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "activate" -d 'Make inactive keys active again'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "edit" -d 'Change a key\'s settings (never its secret)'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "delete" -d 'Remove keys for good'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "import" -d 'Create many keys from JSON lines in one write; tokens to a new 0600 file'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "scan" -d 'Find leaked tokens in files, git history or stdin, and say which are live'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "rotate" -d 'Mint a successor that takes over the name; the old key stays valid for a grace period'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "verify" -d 'Check a token read from stdin; the exit code tells the result'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "serve" -d 'Answer forward-auth verification requests over HTTP (nginx, Caddy, Traefik, Envoy)'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "admin" -d 'Admins of a shared store, each with a credential of their own; alone, lists them'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "group" -d 'Manage permission groups (named sets of scopes); alone, lists them'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "policy" -d 'Show or set the store-wide lifetime policy; alone, shows it'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "verifier" -d 'Verify-only snapshots for CI runners and gateway fleets'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "usage" -d 'What every key did: answers over time by outcome (a chart, or rows for billing); `usage import` merges the records of verifier nodes'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "top" -d 'The busiest keys, owners or client addresses, and revoked keys still presented'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "console" -d 'A local web console: the keys table, forms and charts, for this admin, on loopback'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "status" -d 'The store at a glance: slots, policy, counts, stale keys, last write'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "backup" -d 'Copy the store to a new file, under the lock, and prove the copy opens'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "log" -d 'Show the audit trail'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "completions" -d 'Print shell completions'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and not __fish_seen_subcommand_from init passwd create list show revoke activate edit delete import scan rotate verify serve admin group policy verifier usage top console status backup log completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "list" -d 'List the admins: each slot\'s kind, fingerprint, when it was added and last used'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "add" -d 'Add an admin with a credential of their own'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "remove" -d 'Remove an admin and re-key the store: their credential opens nothing written after'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "rename" -d 'Rename an admin (the audit log keeps the old name for what was done before; `log --admin NEW` and `admin list` follow the rename back)'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "create" -d 'Create a group with its scopes'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "list" -d 'List groups, their scopes and how many keys use them'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "edit" -d 'Change a group\'s scopes'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "delete" -d 'Delete a group; if keys use it, --yes also removes it from them'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "show" -d 'Show the policy'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "set" -d 'Set a rule: `max-lifetime DUR|none`, `default-lifetime DUR` or `history-days N`'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from verifier" -f -a "export" -d 'Write a verify-only snapshot (sealed and signed) for machines that only check keys'
complete -c apikeys -n "__fish_apikeys_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "import" -d 'Merge usage logs written by `serve --verifier … --usage-log` (or verify) into the store and its history'
