#!/usr/bin/env bash
# Regenerates the committed completions and man page from the binary (tests/cli/generated.rs
# fails when they are stale).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q
bin=target/debug/apikeys
$bin completions bash > completions/apikeys.bash
$bin completions zsh > completions/_apikeys
$bin completions fish > completions/apikeys.fish
$bin completions elvish > completions/apikeys.elv
$bin completions powershell > completions/_apikeys.ps1
$bin man > man/apikeys.1
