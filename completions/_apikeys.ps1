
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'apikeys' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'apikeys'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'apikeys' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a new store')
            [CompletionResult]::new('passwd', 'passwd', [CompletionResultType]::ParameterValue, 'Change the passphrase or the key-file slot, without touching the keys')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Mint a new key; its token is shown once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List keys, masked')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show every field of one key, and its audit events')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Make keys inactive (reversible with activate)')
            [CompletionResult]::new('activate', 'activate', [CompletionResultType]::ParameterValue, 'Make inactive keys active again')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change a key''s settings (never its secret)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Remove keys for good')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Create many keys from JSON lines in one write; tokens to a new 0600 file')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find leaked tokens in files, git history or stdin, and say which are live')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Mint a successor that takes over the name; the old key stays valid for a grace period')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a token read from stdin; the exit code tells the result')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Answer forward-auth verification requests over HTTP (nginx, Caddy, Traefik, Envoy)')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'Admins of a shared store, each with a credential of their own; alone, lists them')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'Manage permission groups (named sets of scopes); alone, lists them')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Show or set the store-wide lifetime policy; alone, shows it')
            [CompletionResult]::new('verifier', 'verifier', [CompletionResultType]::ParameterValue, 'Verify-only snapshots for CI runners and gateway fleets')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'What every key did: answers over time by outcome (a chart, or rows for billing); `usage import` merges the records of verifier nodes')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'The busiest keys, owners or client addresses, and revoked keys still presented')
            [CompletionResult]::new('console', 'console', [CompletionResultType]::ParameterValue, 'A local web console: the keys table, forms and charts, for this admin, on loopback')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'The store at a glance: slots, policy, counts, stale keys, last write')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Copy the store to a new file, under the lock, and prove the copy opens')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the audit trail')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;init' {
            [CompletionResult]::new('--with-key-file', '--with-key-file', [CompletionResultType]::ParameterName, 'Also write a random key file (0600) that unlocks the store without the passphrase')
            [CompletionResult]::new('--admin', '--admin', [CompletionResultType]::ParameterName, 'The first admin''s name, the actor of the audit log [default: passphrase; the key file''s admin is then NAME-key-file]')
            [CompletionResult]::new('--kdf-memory', '--kdf-memory', [CompletionResultType]::ParameterName, 'Argon2id memory in MiB [default: 64]')
            [CompletionResult]::new('--kdf-iterations', '--kdf-iterations', [CompletionResultType]::ParameterName, 'Argon2id iterations [default: 3]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;passwd' {
            [CompletionResult]::new('--new-passphrase-file', '--new-passphrase-file', [CompletionResultType]::ParameterName, 'Read the new passphrase from this file (else APIKEYS_NEW_PASSPHRASE, else asked twice)')
            [CompletionResult]::new('--add-key-file', '--add-key-file', [CompletionResultType]::ParameterName, 'Write a new random key file (0600) and let it unlock the store, replacing any old one')
            [CompletionResult]::new('--kdf-memory', '--kdf-memory', [CompletionResultType]::ParameterName, 'Argon2id memory in MiB [default: 64]')
            [CompletionResult]::new('--kdf-iterations', '--kdf-iterations', [CompletionResultType]::ParameterName, 'Argon2id iterations [default: 3]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('--remove-key-file', '--remove-key-file', [CompletionResultType]::ParameterName, 'Remove the key-file slot: the old key file stops working')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;create' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The key''s unique name (1-64 printable characters); without it a terminal runs a wizard')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, '1h, 12h, 1d, 5d, 1y, a duration (30m, 10d, 6w), a date, an RFC 3339 time, or never')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope the key grants (repeatable)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'A permission group whose scopes the key also grants (repeatable)')
            [CompletionResult]::new('--allow-ip', '--allow-ip', [CompletionResultType]::ParameterName, 'An IP address or CIDR the key may be used from (repeatable; none = any)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'The token prefix, [a-z][a-z0-9]{0,15}')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'A free-text description')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who the key belongs to (a customer, a service; up to 128 characters)')
            [CompletionResult]::new('--meta', '--meta', [CompletionResultType]::ParameterName, 'A KEY=VALUE pair returned by verify and serve (repeatable, at most 16)')
            [CompletionResult]::new('--uses', '--uses', [CompletionResultType]::ParameterName, 'How many times the key may be used (each valid verify takes one, or its cost)')
            [CompletionResult]::new('--refill', '--refill', [CompletionResultType]::ParameterName, 'With --uses: set the remaining uses back to N every DUR from creation (1000/30d)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'At most N valid answers in any window of DUR, e.g. 100/1s (repeatable: all must pass)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Write the token to this new 0600 file instead of stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('--no-clipboard', '--no-clipboard', [CompletionResultType]::ParameterName, 'Do not copy the token to the clipboard')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only keys of this status')
            [CompletionResult]::new('--expiring-within', '--expiring-within', [CompletionResultType]::ParameterName, 'Only active keys that expire within this duration (e.g. 7d); a superseded key in its grace period ends as planned and is not listed (its successor is)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Only keys granting this scope (their own or through a group)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Only keys whose name, id or description contains this text (case-insensitive)')
            [CompletionResult]::new('--unused-since', '--unused-since', [CompletionResultType]::ParameterName, 'Only keys not used for this long (e.g. 90d; never-used keys once that old): stale keys')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Only keys of this owner')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Only keys in this group')
            [CompletionResult]::new('--meta', '--meta', [CompletionResultType]::ParameterName, 'Only keys with this meta pair (repeatable: all must match)')
            [CompletionResult]::new('--created-before', '--created-before', [CompletionResultType]::ParameterName, 'Only keys created before this date, RFC 3339 time, or duration back (30d)')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'The table''s columns, comma-separated, from: name, id, key, status, created, expires, last_used, created_by, groups, scopes, allowed_ips, owner, uses_left (shown in that order; json and csv always carry every field)')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Order the keys by this field (json and csv too) [default: created]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('--reverse', '--reverse', [CompletionResultType]::ParameterName, 'With --sort: the other way round')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;show' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;revoke' {
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Only keys of this owner')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Only keys in this group')
            [CompletionResult]::new('--meta', '--meta', [CompletionResultType]::ParameterName, 'Only keys with this meta pair (repeatable: all must match)')
            [CompletionResult]::new('--created-before', '--created-before', [CompletionResultType]::ParameterName, 'Only keys created before this date, RFC 3339 time, or duration back (30d)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, for the audit log')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;activate' {
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Only keys of this owner')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Only keys in this group')
            [CompletionResult]::new('--meta', '--meta', [CompletionResultType]::ParameterName, 'Only keys with this meta pair (repeatable: all must match)')
            [CompletionResult]::new('--created-before', '--created-before', [CompletionResultType]::ParameterName, 'Only keys created before this date, RFC 3339 time, or duration back (30d)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only keys with this status (inactive: revoked; expired keys need a new expiry first)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;edit' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A new name')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'A new expiry, within the max lifetime counted from creation')
            [CompletionResult]::new('--add-scope', '--add-scope', [CompletionResultType]::ParameterName, 'Grant a scope (repeatable)')
            [CompletionResult]::new('--remove-scope', '--remove-scope', [CompletionResultType]::ParameterName, 'Withdraw a scope (repeatable)')
            [CompletionResult]::new('--add-group', '--add-group', [CompletionResultType]::ParameterName, 'Add the key to a group (repeatable)')
            [CompletionResult]::new('--remove-group', '--remove-group', [CompletionResultType]::ParameterName, 'Take the key out of a group (repeatable)')
            [CompletionResult]::new('--allow-ip', '--allow-ip', [CompletionResultType]::ParameterName, 'Allow an IP address or CIDR (repeatable)')
            [CompletionResult]::new('--remove-ip', '--remove-ip', [CompletionResultType]::ParameterName, 'Stop allowing an IP address or CIDR (repeatable)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'A new description')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'A new owner')
            [CompletionResult]::new('--meta', '--meta', [CompletionResultType]::ParameterName, 'Set a KEY=VALUE pair (repeatable)')
            [CompletionResult]::new('--remove-meta', '--remove-meta', [CompletionResultType]::ParameterName, 'Remove a meta pair by its key (repeatable)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Set the rate limits to these (repeatable), or `none` to remove them')
            [CompletionResult]::new('--refill', '--refill', [CompletionResultType]::ParameterName, 'Set the remaining uses back to N every DUR from creation, or `none`')
            [CompletionResult]::new('--uses', '--uses', [CompletionResultType]::ParameterName, 'Refill the remaining uses to N, or `none` to remove the limit')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;delete' {
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Only keys of this owner')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Only keys in this group')
            [CompletionResult]::new('--meta', '--meta', [CompletionResultType]::ParameterName, 'Only keys with this meta pair (repeatable: all must match)')
            [CompletionResult]::new('--created-before', '--created-before', [CompletionResultType]::ParameterName, 'Only keys created before this date, RFC 3339 time, or duration back (30d)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only keys with this status')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;import' {
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Where the tokens go: a new 0600 file of JSON lines {name, id, token}')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;scan' {
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Report only findings not recorded in this baseline (or recorded, but live again)')
            [CompletionResult]::new('--write-baseline', '--write-baseline', [CompletionResultType]::ParameterName, 'Record the findings in FILE as a baseline (fingerprints: key id, path, line content; never a secret) and exit 0')
            [CompletionResult]::new('--since-commit', '--since-commit', [CompletionResultType]::ParameterName, 'Scan only the commits of HEAD not reachable from REF (what a branch adds); implies --git')
            [CompletionResult]::new('--verifier', '--verifier', [CompletionResultType]::ParameterName, 'Verify from this verify-only snapshot instead of the store')
            [CompletionResult]::new('--verifier-key', '--verifier-key', [CompletionResultType]::ParameterName, 'The verifier key file that opens the snapshot')
            [CompletionResult]::new('--usage-log', '--usage-log', [CompletionResultType]::ParameterName, 'With --verifier: append the uses granted here, for `apikeys usage import`; verifies sharing one log share its ledger of a limited key''s uses')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'With --verifier: answer stale_snapshot (17, HTTP 503) once the snapshot is older than this (fail closed when exports stop arriving)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'With --verifier: keep the rollback floor (the highest generation accepted) in this file; an older snapshot is refused (exit 4) [default: verifier-state in the platform state dir]')
            [CompletionResult]::new('--accept-generation', '--accept-generation', [CompletionResultType]::ParameterName, 'With --verifier: accept this generation and newer again, lowering the floor on purpose')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('--git', '--git', [CompletionResultType]::ParameterName, 'Every blob of every commit of the repository (at PATH, or here)')
            [CompletionResult]::new('--staged', '--staged', [CompletionResultType]::ParameterName, 'What `git commit` is about to record (the index)')
            [CompletionResult]::new('--stdin', '--stdin', [CompletionResultType]::ParameterName, 'Scan stdin (also given as the path `-`), to its end whatever its size')
            [CompletionResult]::new('--revoke', '--revoke', [CompletionResultType]::ParameterName, 'Revoke the live keys found (confirmation, or --yes)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Name every file skipped and why (ignored by .gitignore, binary, not readable, a symlink), and how many findings an `apikeys:allow` comment kept out')
            [CompletionResult]::new('--no-ignore', '--no-ignore', [CompletionResultType]::ParameterName, 'Also read files that .gitignore (.ignore, git''s excludes) would skip: a leak often sits in an ignored .env or logs/')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;rotate' {
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'How long the old key stays valid (e.g. 1h; 0 = it expires at once)')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'The successor''s expiry [default: the old key''s lifetime, counted from now, within the policy]')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Write the token to this new 0600 file instead of stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('--no-clipboard', '--no-clipboard', [CompletionResultType]::ParameterName, 'Do not copy the token to the clipboard')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;verify' {
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'The client address to check against the key''s allowed IPs')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope the key must grant (repeatable)')
            [CompletionResult]::new('--cost', '--cost', [CompletionResultType]::ParameterName, 'What this request weighs: it takes N from every rate bucket and N uses (1 to 1000)')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Answer as of TIME (RFC 3339, or YYYY-MM-DD for midnight UTC) instead of now: expiry, grace periods, refills and rates as they will (or did) stand. Records nothing; limits are judged from the state as stored, without --counters')
            [CompletionResult]::new('--verifier', '--verifier', [CompletionResultType]::ParameterName, 'Verify from this verify-only snapshot instead of the store')
            [CompletionResult]::new('--verifier-key', '--verifier-key', [CompletionResultType]::ParameterName, 'The verifier key file that opens the snapshot')
            [CompletionResult]::new('--usage-log', '--usage-log', [CompletionResultType]::ParameterName, 'With --verifier: append the uses granted here, for `apikeys usage import`; verifies sharing one log share its ledger of a limited key''s uses')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'With --verifier: answer stale_snapshot (17, HTTP 503) once the snapshot is older than this (fail closed when exports stop arriving)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'With --verifier: keep the rollback floor (the highest generation accepted) in this file; an older snapshot is refused (exit 4) [default: verifier-state in the platform state dir]')
            [CompletionResult]::new('--accept-generation', '--accept-generation', [CompletionResultType]::ParameterName, 'With --verifier: accept this generation and newer again, lowering the floor on purpose')
            [CompletionResult]::new('--counters', '--counters', [CompletionResultType]::ParameterName, 'Keep rate buckets and remaining uses in Redis, shared by every node and runner: redis://[USER@]HOST:PORT[/DB], rediss://…, unix://PATH, redis+cluster://H:P,H:P. Give the password with --counters-password-file: argv is visible to every user')
            [CompletionResult]::new('--counters-password-file', '--counters-password-file', [CompletionResultType]::ParameterName, 'Read the Redis password from the first line of this file (kept out of argv)')
            [CompletionResult]::new('--counters-timeout', '--counters-timeout', [CompletionResultType]::ParameterName, 'Answer counters_unavailable (19, HTTP 503) for a limited key when Redis does not answer within this time')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Refused, for the same reason (and so that clap does not suggest `--store` for it)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Read one token per line; print one json result per line')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Print each check in order with its outcome on stderr (never the secret)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen: IP:PORT or unix:PATH (repeatable) [default: 127.0.0.1:8080]')
            [CompletionResult]::new('--trusted-proxy', '--trusted-proxy', [CompletionResultType]::ParameterName, 'A proxy whose client-IP header is believed (repeatable)')
            [CompletionResult]::new('--client-ip-header', '--client-ip-header', [CompletionResultType]::ParameterName, 'The one header that names the client behind a trusted proxy; every other is ignored (not one that carries the token, the scopes or an answer)')
            [CompletionResult]::new('--max-conns-per-ip', '--max-conns-per-ip', [CompletionResultType]::ParameterName, 'The most connections one client address may hold at once (a --trusted-proxy is not held to it: the gateway carries every client)')
            [CompletionResult]::new('--verifier', '--verifier', [CompletionResultType]::ParameterName, 'Verify from this verify-only snapshot instead of the store')
            [CompletionResult]::new('--verifier-key', '--verifier-key', [CompletionResultType]::ParameterName, 'The verifier key file that opens the snapshot')
            [CompletionResult]::new('--usage-log', '--usage-log', [CompletionResultType]::ParameterName, 'With --verifier: append the uses granted here, for `apikeys usage import`; verifies sharing one log share its ledger of a limited key''s uses')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'With --verifier: answer stale_snapshot (17, HTTP 503) once the snapshot is older than this (fail closed when exports stop arriving)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'With --verifier: keep the rollback floor (the highest generation accepted) in this file; an older snapshot is refused (exit 4) [default: verifier-state in the platform state dir]')
            [CompletionResult]::new('--accept-generation', '--accept-generation', [CompletionResultType]::ParameterName, 'With --verifier: accept this generation and newer again, lowering the floor on purpose')
            [CompletionResult]::new('--counters', '--counters', [CompletionResultType]::ParameterName, 'Keep rate buckets and remaining uses in Redis, shared by every node and runner: redis://[USER@]HOST:PORT[/DB], rediss://…, unix://PATH, redis+cluster://H:P,H:P. Give the password with --counters-password-file: argv is visible to every user')
            [CompletionResult]::new('--counters-password-file', '--counters-password-file', [CompletionResultType]::ParameterName, 'Read the Redis password from the first line of this file (kept out of argv)')
            [CompletionResult]::new('--counters-timeout', '--counters-timeout', [CompletionResultType]::ParameterName, 'Answer counters_unavailable (19, HTTP 503) for a limited key when Redis does not answer within this time')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads answering requests [default: the cores less one, at least 1]')
            [CompletionResult]::new('--flush-every', '--flush-every', [CompletionResultType]::ParameterName, 'How often use records are written back to the store')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('--access-log', '--access-log', [CompletionResultType]::ParameterName, 'Log one line per request (time, client IP, code, key id, latency), written a few times a second')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;admin' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the admins: each slot''s kind, fingerprint, when it was added and last used')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an admin with a credential of their own')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an admin and re-key the store: their credential opens nothing written after')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Rename an admin (the audit log keeps the old name for what was done before; `log --admin NEW` and `admin list` follow the rename back)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;admin;list' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;admin;add' {
            [CompletionResult]::new('--new-passphrase-file', '--new-passphrase-file', [CompletionResultType]::ParameterName, 'With --passphrase: read it from this file instead of asking')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Write a new random key file (0600) at PATH, which must not exist')
            [CompletionResult]::new('--ssh-key', '--ssh-key', [CompletionResultType]::ParameterName, 'An SSH public key file (ssh-ed25519 or ssh-rsa); they unlock with --identity')
            [CompletionResult]::new('--age', '--age', [CompletionResultType]::ParameterName, 'An age X25519 recipient (age1…); they unlock with --identity')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('--passphrase', '--passphrase', [CompletionResultType]::ParameterName, 'A passphrase, asked twice on a terminal (or read from --new-passphrase-file)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;admin;remove' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;admin;rename' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;admin;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the admins: each slot''s kind, fingerprint, when it was added and last used')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an admin with a credential of their own')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an admin and re-key the store: their credential opens nothing written after')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Rename an admin (the audit log keeps the old name for what was done before; `log --admin NEW` and `admin list` follow the rename back)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;admin;help;list' {
            break
        }
        'apikeys;admin;help;add' {
            break
        }
        'apikeys;admin;help;remove' {
            break
        }
        'apikeys;admin;help;rename' {
            break
        }
        'apikeys;admin;help;help' {
            break
        }
        'apikeys;group' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a group with its scopes')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List groups, their scopes and how many keys use them')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change a group''s scopes')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a group; if keys use it, --yes also removes it from them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;group;create' {
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope of the group (repeatable, at least one)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;group;list' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;group;edit' {
            [CompletionResult]::new('--add-scope', '--add-scope', [CompletionResultType]::ParameterName, 'Add a scope (repeatable)')
            [CompletionResult]::new('--remove-scope', '--remove-scope', [CompletionResultType]::ParameterName, 'Remove a scope (repeatable)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;group;delete' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;group;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a group with its scopes')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List groups, their scopes and how many keys use them')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change a group''s scopes')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a group; if keys use it, --yes also removes it from them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;group;help;create' {
            break
        }
        'apikeys;group;help;list' {
            break
        }
        'apikeys;group;help;edit' {
            break
        }
        'apikeys;group;help;delete' {
            break
        }
        'apikeys;group;help;help' {
            break
        }
        'apikeys;policy' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the policy')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a rule: `max-lifetime DUR|none`, `default-lifetime DUR` or `history-days N`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;policy;show' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;policy;set' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;policy;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the policy')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a rule: `max-lifetime DUR|none`, `default-lifetime DUR` or `history-days N`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;policy;help;show' {
            break
        }
        'apikeys;policy;help;set' {
            break
        }
        'apikeys;policy;help;help' {
            break
        }
        'apikeys;verifier' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a verify-only snapshot (sealed and signed) for machines that only check keys')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;verifier;export' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The snapshot file to write (replaced atomically)')
            [CompletionResult]::new('--verifier-key', '--verifier-key', [CompletionResultType]::ParameterName, 'The verifier key file: reused when present; created on a store''s first export, or later with --new-verifier-key')
            [CompletionResult]::new('--format-version', '--format-version', [CompletionResultType]::ParameterName, 'Snapshot format: 2 (block-indexed, the default) or 1 (one sealed section, for nodes running a release from before format 2)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('--new-verifier-key', '--new-verifier-key', [CompletionResultType]::ParameterName, 'Create a new verifier key at PATH although this store already exported with another (every node must then get the new key file)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;verifier;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a verify-only snapshot (sealed and signed) for machines that only check keys')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;verifier;help;export' {
            break
        }
        'apikeys;verifier;help;help' {
            break
        }
        'apikeys;usage' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'A key, for a key whose name is a word of this command (`import`)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Only the keys of this owner')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'From this long ago (30m, 24h, 7d) or this time (RFC 3339, YYYY-MM-DD); default 24h')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Up to this time, excluded (RFC 3339, YYYY-MM-DD); default now')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'The bucket width; default by the window (minutes up to 6 h, hours up to 14 days)')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'Only answers with this outcome (repeatable): valid, unknown, inactive, expired, …')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Merge usage logs written by `serve --verifier … --usage-log` (or verify) into the store and its history')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;usage;import' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;usage;help' {
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Merge usage logs written by `serve --verifier … --usage-log` (or verify) into the store and its history')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;usage;help;import' {
            break
        }
        'apikeys;usage;help;help' {
            break
        }
        'apikeys;top' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'From this long ago (24h, 7d) or this time; default 24h')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Rank keys, owners or client addresses')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'Only answers with this outcome (repeatable)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many to show')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many to show')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;console' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen: a loopback address (127.0.0.1:PORT, [::1]:PORT; port 0 picks one) or unix:PATH. Any other address is refused')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'Open the login link in the default browser (xdg-open)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;status' {
            [CompletionResult]::new('--expiring-within', '--expiring-within', [CompletionResultType]::ParameterName, 'List the live keys that expire within this duration (json: `expiring`)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('--fail', '--fail', [CompletionResultType]::ParameterName, 'With --expiring-within: exit 7 when any key expires within it')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;backup' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;log' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only events of this key (name or id; deleted keys too)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events since this date, RFC 3339 time or duration back (7d), or after this sequence number (a plain number: a SIEM''s cursor)')
            [CompletionResult]::new('--admin', '--admin', [CompletionResultType]::ParameterName, 'Only what this admin did (the slot that unlocked the store; --actor notes are not admins; one the store never had is exit 5)')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Only events of this action (create, revoke, activate, edit, revive, rotate, delete, group create, policy set, admin add, …; an unknown one is a usage error listing them)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only the last N events')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Only the last N events')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;completions' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;man' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Unlock with this SSH private key or age identity file, for an admin added with --ssh-key or --age (env APIKEYS_IDENTITY)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what a script needs (the token, or nothing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'apikeys;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a new store')
            [CompletionResult]::new('passwd', 'passwd', [CompletionResultType]::ParameterValue, 'Change the passphrase or the key-file slot, without touching the keys')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Mint a new key; its token is shown once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List keys, masked')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show every field of one key, and its audit events')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Make keys inactive (reversible with activate)')
            [CompletionResult]::new('activate', 'activate', [CompletionResultType]::ParameterValue, 'Make inactive keys active again')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change a key''s settings (never its secret)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Remove keys for good')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Create many keys from JSON lines in one write; tokens to a new 0600 file')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find leaked tokens in files, git history or stdin, and say which are live')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Mint a successor that takes over the name; the old key stays valid for a grace period')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a token read from stdin; the exit code tells the result')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Answer forward-auth verification requests over HTTP (nginx, Caddy, Traefik, Envoy)')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'Admins of a shared store, each with a credential of their own; alone, lists them')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'Manage permission groups (named sets of scopes); alone, lists them')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Show or set the store-wide lifetime policy; alone, shows it')
            [CompletionResult]::new('verifier', 'verifier', [CompletionResultType]::ParameterValue, 'Verify-only snapshots for CI runners and gateway fleets')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'What every key did: answers over time by outcome (a chart, or rows for billing); `usage import` merges the records of verifier nodes')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'The busiest keys, owners or client addresses, and revoked keys still presented')
            [CompletionResult]::new('console', 'console', [CompletionResultType]::ParameterValue, 'A local web console: the keys table, forms and charts, for this admin, on loopback')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'The store at a glance: slots, policy, counts, stale keys, last write')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Copy the store to a new file, under the lock, and prove the copy opens')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the audit trail')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apikeys;help;init' {
            break
        }
        'apikeys;help;passwd' {
            break
        }
        'apikeys;help;create' {
            break
        }
        'apikeys;help;list' {
            break
        }
        'apikeys;help;show' {
            break
        }
        'apikeys;help;revoke' {
            break
        }
        'apikeys;help;activate' {
            break
        }
        'apikeys;help;edit' {
            break
        }
        'apikeys;help;delete' {
            break
        }
        'apikeys;help;import' {
            break
        }
        'apikeys;help;scan' {
            break
        }
        'apikeys;help;rotate' {
            break
        }
        'apikeys;help;verify' {
            break
        }
        'apikeys;help;serve' {
            break
        }
        'apikeys;help;admin' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the admins: each slot''s kind, fingerprint, when it was added and last used')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an admin with a credential of their own')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an admin and re-key the store: their credential opens nothing written after')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Rename an admin (the audit log keeps the old name for what was done before; `log --admin NEW` and `admin list` follow the rename back)')
            break
        }
        'apikeys;help;admin;list' {
            break
        }
        'apikeys;help;admin;add' {
            break
        }
        'apikeys;help;admin;remove' {
            break
        }
        'apikeys;help;admin;rename' {
            break
        }
        'apikeys;help;group' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a group with its scopes')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List groups, their scopes and how many keys use them')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change a group''s scopes')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a group; if keys use it, --yes also removes it from them')
            break
        }
        'apikeys;help;group;create' {
            break
        }
        'apikeys;help;group;list' {
            break
        }
        'apikeys;help;group;edit' {
            break
        }
        'apikeys;help;group;delete' {
            break
        }
        'apikeys;help;policy' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the policy')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a rule: `max-lifetime DUR|none`, `default-lifetime DUR` or `history-days N`')
            break
        }
        'apikeys;help;policy;show' {
            break
        }
        'apikeys;help;policy;set' {
            break
        }
        'apikeys;help;verifier' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a verify-only snapshot (sealed and signed) for machines that only check keys')
            break
        }
        'apikeys;help;verifier;export' {
            break
        }
        'apikeys;help;usage' {
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Merge usage logs written by `serve --verifier … --usage-log` (or verify) into the store and its history')
            break
        }
        'apikeys;help;usage;import' {
            break
        }
        'apikeys;help;top' {
            break
        }
        'apikeys;help;console' {
            break
        }
        'apikeys;help;status' {
            break
        }
        'apikeys;help;backup' {
            break
        }
        'apikeys;help;log' {
            break
        }
        'apikeys;help;completions' {
            break
        }
        'apikeys;help;man' {
            break
        }
        'apikeys;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
