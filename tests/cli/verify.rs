//! Issue 4: verify's exit codes, json, batch mode and last-use recording.

use crate::harness::{TestEnv, crc32};

/// A token for `id` with a valid checksum and a random-looking secret: well-formed, not minted.
fn forge(prefix: &str, id: &str, secret: &str) -> String {
    let body = format!("{prefix}_{id}_{secret}");
    let mut n = u64::from(crc32(body.as_bytes()));
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut check = [b'0'; 6];
    for c in check.iter_mut().rev() {
        *c = alphabet[(n % 62) as usize];
        n /= 62;
    }
    format!("{body}{}", std::str::from_utf8(&check).unwrap())
}

fn id_of(token: &str) -> &str {
    token.split('_').nth(1).unwrap()
}

#[test]
fn every_verify_exit_code_through_real_tokens() {
    let env = TestEnv::new();
    let good = env.create(
        "ci",
        &[
            "--scope",
            "deploy",
            "--allow-ip",
            "10.0.0.0/8",
            "--allow-ip",
            "2001:db8::/32",
        ],
    );
    let out = env
        .verify(&good, &["--ip", "10.2.3.4", "--scope", "deploy"])
        .code(0);
    assert!(out.stdout.starts_with("valid: ci (expires "), "{out:?}");
    // 10: format and checksum, before the store is even opened (no key file given here).
    let mut typo = good.clone().into_bytes();
    let i = typo.len() - 20;
    typo[i] = if typo[i] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).unwrap();
    for bad in [
        &typo,
        &good[..good.len() - 1],
        "",
        "hello",
        &good.replace("ak_", "AK_"),
    ] {
        let out = TestEnv::feed(env.bare_cmd(&["verify"]), &format!("{bad}\n")).code(10);
        assert!(
            out.stdout.starts_with("invalid: malformed token"),
            "{out:?}"
        );
    }
    // 11: a forged token with a valid checksum, for an unknown id and for a known one.
    let secret = &good[good.len() - 49..good.len() - 6];
    env.verify(&forge("ak", "AAAAAAAAAAAA", secret), &[])
        .code(11);
    let wrong_secret = forge("ak", id_of(&good), &"7".repeat(43));
    env.verify(&wrong_secret, &[]).code(11);
    env.verify(&forge("zz", id_of(&good), secret), &[]).code(11);
    // 14 and 15, IPv4 and IPv6.
    env.verify(&good, &["--ip", "192.168.1.1"]).code(14);
    env.verify(&good, &["--ip", "2001:db8:1::9"]).code(0);
    env.verify(&good, &["--ip", "2001:db9::1"]).code(14);
    env.verify(&good, &["--ip", "::ffff:10.1.1.1"]).code(0);
    env.verify(&good, &["--ip", "not-an-ip"]).code(2);
    env.verify(
        &good,
        &["--ip", "10.0.0.1", "--scope", "deploy", "--scope", "admin"],
    )
    .code(15);
    // 12 and 13.
    env.run(&["revoke", "ci", "--yes"]).code(0);
    env.verify(&good, &[]).code(12);
    let short = env.create("short", &["--expires", "4s"]);
    env.verify(&short, &[]).code(0);
    let out = env
        .verify(&short, &["--at", &crate::harness::in_secs(5)])
        .code(13);
    assert!(out.stdout.contains("expired"), "{out:?}");
}

#[test]
fn a_key_without_allowed_ips_admits_any_address() {
    let env = TestEnv::new();
    let t = env.create("open", &[]);
    env.verify(&t, &["--ip", "203.0.113.9"]).code(0);
    env.verify(&t, &["--ip", "2001:db8::1"]).code(0);
}

#[test]
fn json_results_follow_the_contract() {
    let env = TestEnv::new();
    let t = env.create("ci", &["--scope", "s1"]);
    let ok = env.verify(&t, &["--format", "json"]).code(0).json();
    assert_eq!(ok["valid"], true);
    assert_eq!(ok["code"], "valid");
    assert_eq!(ok["key_id"], id_of(&t));
    assert_eq!(ok["name"], "ci");
    assert_eq!(ok["scopes"], serde_json::json!(["s1"]));
    assert!(ok["expires_at"].as_str().unwrap().ends_with('Z'));
    let unknown = env
        .verify(
            &forge("ak", id_of(&t), &"1".repeat(43)),
            &["--format", "json"],
        )
        .code(11)
        .json();
    assert_eq!(unknown["code"], "unknown");
    assert!(
        unknown.get("key_id").is_none() && unknown.get("name").is_none(),
        "{unknown}"
    );
    let bad = env.verify("nope", &["--format", "json"]).code(10).json();
    assert_eq!(bad["code"], "malformed");
    assert_eq!(bad["valid"], false);
    let scope = env
        .verify(&t, &["--format", "json", "--scope", "zzz"])
        .code(15)
        .json();
    assert_eq!(scope["code"], "scope_denied");
    let quiet = env.verify(&t, &["-q"]).code(0);
    assert!(quiet.stdout.is_empty() && quiet.stderr.is_empty());
}

#[test]
fn a_token_on_argv_is_a_usage_error() {
    let env = TestEnv::new();
    let t = env.create("ci", &[]);
    let out = env.run(&["verify", &t]).code(2);
    assert!(
        !out.stderr.contains(&t[10..]),
        "the token must not be echoed back"
    );
}

/// A gate fed a list by mistake (a file of tokens, a token and something after it) never
/// passes on its first line: one token is read, blank lines around it aside.
#[test]
fn more_than_one_line_on_stdin_is_malformed_and_names_batch() {
    let env = TestEnv::new();
    let t = env.create("ci", &[]);
    for input in [
        format!("{t}\ngarbage\n"),
        format!("{t}\n{t}\n"),
        format!("{t}\r\nx"),
    ] {
        let r = env
            .run_stdin(&["verify", "--format", "json"], &input)
            .code(10);
        let j = r.json();
        assert_eq!(j["code"], "malformed");
        assert!(j["reason"].as_str().unwrap().contains("--batch"), "{j}");
        assert!(!r.stdout.contains(&t[20..]) && !r.stderr.contains(&t[20..]));
    }
    // Blank lines and white space around the one token are not a second token.
    env.run_stdin(&["verify"], &format!("\n\n  {t} \r\n\n"))
        .code(0);
    // Nothing was recorded as a use of the key by the refused ones.
    assert_eq!(env.key("ci")["use_count"], 1);
}

#[test]
fn batch_answers_in_order_with_the_first_failure_code() {
    let env = TestEnv::new();
    let a = env.create("a", &[]);
    let b = env.create("b", &[]);
    env.run(&["revoke", "b", "--yes"]).code(0);
    let input = format!("{a}\nmalformed\n{b}\n{a}\n");
    let out = env.run_stdin(&["verify", "--batch"], &input).code(10);
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let codes: Vec<_> = lines.iter().map(|l| l["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["valid", "malformed", "inactive", "valid"]);
    assert!(!out.stdout.contains(&a[20..]), "no secret in batch output");
    assert_eq!(
        env.key("a")["use_count"],
        2,
        "one write per batch, counting each valid use"
    );
    let before = env.store_bytes();
    env.run_stdin(&["verify", "--batch"], &format!("{a}\n{a}\n"))
        .code(0);
    assert_eq!(
        env.store_bytes(),
        before,
        "uses within 60 s of the last are not written"
    );
    env.run_stdin(&["verify", "--batch"], "").code(0);
}

#[test]
fn every_use_is_counted_without_rewriting_the_store() {
    let env = TestEnv::new();
    let t = env.create("ci", &[]);
    assert_eq!(env.key("ci")["last_used_at"], serde_json::Value::Null);
    let before = env.store_bytes();
    // Seven separate verifies within a minute count seven (no once-a-minute throttle).
    for _ in 0..7 {
        env.verify(&t, &["--ip", "192.0.2.7"]).code(0);
    }
    let k = env.key("ci");
    assert!(k["last_used_at"].is_string());
    assert_eq!(k["use_count"], 7);
    assert_eq!(k["last_used_ip"], "192.0.2.7");
    assert_eq!(
        env.store_bytes(),
        before,
        "an unlimited key's use is recorded beside the store, never by rewriting it"
    );
    env.verify(&t, &["--scope", "missing"]).code(15);
    assert_eq!(env.key("ci")["use_count"], 7, "a refused verify is no use");
}
