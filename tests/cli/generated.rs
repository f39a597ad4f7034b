//! The committed completions and man page are what the binary prints now; help is complete.

use crate::harness::TestEnv;
use std::path::Path;

const FILES: &[(&[&str], &str)] = &[
    (&["completions", "bash"], "completions/apikeys.bash"),
    (&["completions", "zsh"], "completions/_apikeys"),
    (&["completions", "fish"], "completions/apikeys.fish"),
    (&["completions", "elvish"], "completions/apikeys.elv"),
    (&["completions", "powershell"], "completions/_apikeys.ps1"),
    (&["man"], "man/apikeys.1"),
];

#[test]
fn committed_completions_and_man_page_are_fresh() {
    let env = TestEnv::bare();
    for (args, path) in FILES {
        let printed = env.run(args).code(0).stdout;
        let committed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
            .unwrap_or_default();
        assert!(
            printed == committed,
            "{path} is stale: regenerate with `cargo run -q -- {} > {path}`",
            args.join(" ")
        );
    }
}

#[test]
fn the_man_page_covers_commands_environment_and_exit_codes() {
    let man = TestEnv::bare().run(&["man"]).code(0).stdout;
    for needle in [
        "init",
        "passwd",
        "create",
        "rotate",
        "verify",
        "group",
        "policy",
        "log",
        "APIKEYS_KEY_FILE",
        "Exit codes",
        "scope not granted",
        "19 counters unavailable",
        "APIKEYS_IDENTITY",
    ] {
        assert!(man.contains(needle), "man page lacks {needle}");
    }
    assert!(
        !man.contains("__clipboard"),
        "the internal helper stays hidden"
    );
}

#[test]
fn every_flag_has_help_and_key_commands_show_examples() {
    let env = TestEnv::bare();
    for cmd in [
        "init", "passwd", "create", "list", "show", "revoke", "activate", "edit", "delete",
        "rotate", "verify", "log",
    ] {
        let help = env.run(&[cmd, "--help"]).code(0).stdout;
        for line in help.lines().filter(|l| l.trim_start().starts_with("--")) {
            let text = line.trim_start();
            // Help text follows the flag (on its line or, when long, the next one).
            assert!(
                text.contains("  ") || help.contains(&format!("{text}\n          ")),
                "{cmd}: a flag without help: {line}"
            );
        }
    }
    for cmd in ["create", "verify", "rotate"] {
        assert!(
            env.run(&[cmd, "--help"])
                .code(0)
                .stdout
                .contains("Examples:"),
            "{cmd} --help shows an example"
        );
    }
}
