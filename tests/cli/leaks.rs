//! Issue 5: secrets never reach argv, child environments, stderr or panic output.

use crate::harness::{PASS, TestEnv};

#[test]
fn no_error_message_carries_a_secret() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let secret = &token[token.len() - 49..token.len() - 6];
    let mut runs = vec![
        env.run(&["verify", &token]),
        env.run_stdin(&["verify"], &token.replace("ak_", "zz_")),
        env.run_stdin(
            &["verify", "--format", "json"],
            &format!("{}X\n", &token[..token.len() - 1]),
        ),
        env.bare_cmd(&["list"])
            .env("APIKEYS_PASSPHRASE", "wrong-passphrase-123")
            .output()
            .map(|o| crate::harness::Run {
                code: o.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&o.stdout).into(),
                stderr: String::from_utf8_lossy(&o.stderr).into(),
            })
            .unwrap(),
    ];
    std::fs::write(&env.store, b"garbage").unwrap();
    runs.push(env.with_pass(&["list"]));
    for r in runs {
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(!all.contains(secret), "secret in output: {r:?}");
        assert!(
            !all.contains(PASS) && !all.contains("wrong-passphrase-123"),
            "passphrase in output: {r:?}"
        );
        assert!(!all.contains("panicked"), "{r:?}");
    }
}

/// A token pasted into the wrong place on a command line (a flag's value, a path, the
/// subcommand, one of clap's choices, cut short) is quoted by the error masked, as lists show
/// keys, never whole: stderr ends up in terminals' scrollback and CI logs.
#[test]
fn a_token_pasted_into_the_wrong_argument_is_never_echoed_by_its_error() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let secret = &token[token.len() - 49..token.len() - 6];
    let masked = format!("{}_…{}", &token[..15], &token[token.len() - 6..]);
    let cut = &token[..token.len() - 3];
    // (arguments, exit code, whether the whole token was given)
    let cases: Vec<(Vec<&str>, i32, bool)> = vec![
        (vec!["usage", "--since", &token], 2, true),
        (vec!["top", "--since", &token], 2, true),
        (vec!["create", "--name", "x", "--expires", &token], 2, true),
        (vec!["create", "--name", "x", "--allow-ip", &token], 2, true),
        (vec!["create", "--name", "x", "--rate", &token], 2, true),
        (vec!["create", "--name", "x", "--meta", &token], 2, true),
        (vec!["verify", "--cost", &token], 2, true),
        (vec!["log", "--since", &token], 2, true),
        (vec!["policy", "set", "max-lifetime", &token], 2, true),
        (vec![&token], 2, true),
        (vec!["list", "--status", &token], 2, true),
        (vec!["--store", &token, "list"], 1, true),
        (vec!["usage", "--since", cut], 2, false),
    ];
    for (args, code, whole) in cases {
        let r = env.run(&args).code(code);
        assert!(!r.stderr.contains(&secret[..16]), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains(&secret[20..]), "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
        if whole {
            // Still says which key it was: the id and the checksum, as `list` shows them.
            assert!(r.stderr.contains(&masked), "{args:?}: {}", r.stderr);
        }
    }
    // A warning is masked as an error is: scan goes on without a store it cannot open.
    let empty = env.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let r = env
        .run(&["--store", &token, "scan", empty.to_str().unwrap()])
        .code(0);
    assert!(r.stderr.starts_with("warning: "), "{}", r.stderr);
    assert!(!r.stderr.contains(&secret[..16]), "{}", r.stderr);
    assert!(r.stderr.contains(&masked), "{}", r.stderr);
    // Nothing else is masked: a name that merely is long is quoted as it is.
    let r = env
        .run(&["show", "billing_service_key_for_production_use"])
        .code(5);
    assert!(
        r.stderr.contains("billing_service_key_for_production_use"),
        "{}",
        r.stderr
    );
}

#[test]
fn secret_types_redact_debug_and_wipe_their_bytes() {
    use zeroize::Zeroize;
    // Wiping leaves zeros where the key was (its Drop runs the same zeroize). That a dropped
    // passphrase leaves no copy in a live process's memory is checked in
    // gates::serve_keeps_one_copy_of_the_passphrase_in_memory, through /proc/PID/mem.
    let mut wiped = apikeys::secret::Key32::from_bytes([0x5a; 32]);
    wiped.zeroize();
    assert_eq!(wiped.expose_secret(), &[0u8; 32]);
    let p = apikeys::secret::Passphrase::new(PASS.into());
    let t = apikeys::secret::TokenString::new("ak_AAAAAAAAAAAA_secretsecret".into());
    let k = apikeys::secret::Key32::from_bytes([0x5a; 32]);
    let shown = format!("{p:?} {t:?} {k:?}");
    assert!(
        !shown.contains("horse") && !shown.contains("secretsecret") && !shown.contains("90"),
        "{shown}"
    );
    assert_eq!(shown.matches("REDACTED").count(), 3);
}
