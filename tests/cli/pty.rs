//! Prompts through a real pseudo-terminal (expectrl): passphrases, confirmations, the wizard.

use crate::harness::{BIN, PASS, TestEnv};
use expectrl::{Eof, Session, WaitStatus};
use std::process::Command;
use std::time::Duration;

const DOWN: &str = "\x1b[B";

fn spawn(env: &TestEnv, args: &[&str], key_file: bool) -> Session {
    spawn_with(env, args, key_file, true)
}

fn spawn_with(env: &TestEnv, args: &[&str], key_file: bool, no_color: bool) -> Session {
    let mut c = Command::new(BIN);
    c.args(args);
    spawn_command(env, c, key_file, no_color)
}

/// Spawns a prepared command on a pty with the test environment.
pub fn spawn_command(env: &TestEnv, mut c: Command, key_file: bool, no_color: bool) -> Session {
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.dir.path())
        .env("TERM", "xterm")
        .env("APIKEYS_STORE", &env.store)
        .env("APIKEYS_ACTOR", "tester");
    if no_color {
        c.env("NO_COLOR", "1");
    }
    if key_file {
        c.env("APIKEYS_KEY_FILE", &env.key_file);
    }
    let mut s = Session::spawn(c).expect("spawn on a pty");
    s.set_expect_timeout(Some(Duration::from_secs(20)));
    s
}

/// A dialoguer prompt switches the terminal to raw mode just after drawing itself, and drops
/// what was typed before, as sudo's does; a person never types within a tenth of a second of
/// the prompt appearing, so neither does the test. (The passphrase prompt sets the terminal
/// before it draws, so it would need no pause at all.)
fn pause() {
    std::thread::sleep(Duration::from_millis(100));
}

/// Waits for `prompt`, then types `line` and Enter.
pub fn answer(s: &mut Session, prompt: &str, line: &str) {
    s.expect(prompt)
        .unwrap_or_else(|e| panic!("no prompt {prompt:?}: {e}"));
    pause();
    s.send_line(line).unwrap();
}

/// Waits for `prompt`, then presses `keys`.
fn press(s: &mut Session, prompt: &str, keys: &str) {
    s.expect(prompt)
        .unwrap_or_else(|e| panic!("no prompt {prompt:?}: {e}"));
    pause();
    s.send(keys).unwrap();
}

pub fn exit_code(mut s: Session) -> i32 {
    s.expect(Eof).ok();
    match s.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not a normal exit: {other:?}"),
    }
}

#[test]
fn init_asks_twice_and_again_on_mismatch() {
    let env = TestEnv::bare();
    let mut s = spawn(
        &env,
        &["init", "--kdf-memory", "1", "--kdf-iterations", "1"],
        false,
    );
    answer(&mut s, "New passphrase", PASS);
    answer(&mut s, "Repeat it", "something else entirely");
    s.expect("do not match").unwrap();
    answer(&mut s, "New passphrase", "short");
    answer(&mut s, "at least 8", PASS);
    answer(&mut s, "Repeat it", PASS);
    assert_eq!(exit_code(s), 0);
    env.with_pass(&["list"]).code(0);
}

#[test]
fn the_passphrase_is_asked_on_a_terminal() {
    let env = TestEnv::new();
    let mut s = spawn(&env, &["list", "--format", "json"], false);
    answer(&mut s, "Passphrase for", PASS);
    s.expect("[]").unwrap();
    assert_eq!(exit_code(s), 0);
    // A typo may be tried again: three tries in all, then exit 3.
    let mut s = spawn(&env, &["list", "--format", "json"], false);
    answer(&mut s, "Passphrase for", "a typo");
    s.expect("try again").unwrap();
    answer(&mut s, "Passphrase for", PASS);
    s.expect("[]").unwrap();
    assert_eq!(exit_code(s), 0);
    let mut s = spawn(&env, &["list"], false);
    for _ in 0..3 {
        answer(&mut s, "Passphrase for", "wrong passphrase");
    }
    s.expect("error: cannot unlock").unwrap();
    // Typed at the prompt: the hint speaks of typing, not of files that were never given.
    let hint = rest_of(&mut s);
    assert!(
        hint.contains("Caps Lock") && !hint.contains("--passphrase-file"),
        "{hint}"
    );
    assert_eq!(exit_code(s), 3);
}

#[test]
fn confirmation_yes_changes_and_no_keeps() {
    let env = TestEnv::new();
    env.create("a", &[]);
    env.create("b", &[]);
    let mut s = spawn(&env, &["revoke", "a", "b"], true);
    press(&mut s, "Revoke \"a\"", "n\r");
    assert_eq!(exit_code(s), 8);
    assert!(env.keys().iter().all(|k| k["status"] == "active"));
    let mut s = spawn(&env, &["revoke", "a", "b"], true);
    press(&mut s, "\"b\"", "y\r");
    assert_eq!(exit_code(s), 0);
    assert!(env.keys().iter().all(|k| k["status"] == "inactive"));
    let mut s = spawn(&env, &["delete", "a"], true);
    press(&mut s, "Delete \"a\"", "n\r");
    assert_eq!(exit_code(s), 8);
    assert_eq!(env.keys().len(), 2);
    let mut s = spawn(&env, &["delete", "a"], true);
    press(&mut s, "cannot be undone", "y\r");
    assert_eq!(exit_code(s), 0);
    assert_eq!(env.keys().len(), 1);
}

/// Everything the session prints until it ends.
pub fn rest_of(s: &mut Session) -> String {
    let mut out = Vec::new();
    std::io::Read::read_to_end(s, &mut out).ok();
    String::from_utf8_lossy(&out).into_owned()
}

/// The token a `create` on a terminal shows.
fn shown_token(s: &mut Session) -> String {
    let caps = s
        .expect(expectrl::Regex("ak_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}"))
        .unwrap();
    String::from_utf8_lossy(caps.get(0).unwrap()).to_string()
}

#[test]
fn create_commits_only_after_the_token_is_acknowledged() {
    let env = TestEnv::new();
    // "no": the token was shown but the key is never created.
    let mut s = spawn(&env, &["create", "--name", "ci", "--no-clipboard"], true);
    let token = shown_token(&mut s);
    press(&mut s, "I have stored the key in a safe place", "n\r");
    s.expect("no key was created").unwrap();
    assert_eq!(exit_code(s), 1);
    env.verify(&token, &[]).code(11);
    assert!(env.keys().is_empty());
    // Ctrl-C there: the same, said once, exit 130.
    let mut s = spawn(&env, &["create", "--name", "ci", "--no-clipboard"], true);
    let token = shown_token(&mut s);
    press(&mut s, "I have stored the key", "\x03");
    s.expect("cancelled: no key was created").unwrap();
    let rest = rest_of(&mut s);
    assert!(!rest.contains("cancelled"), "said twice: {rest}");
    env.verify(&token, &[]).code(11);
    assert!(env.keys().is_empty());
    // "yes": created.
    let mut s = spawn(&env, &["create", "--name", "ci", "--no-clipboard"], true);
    let token = shown_token(&mut s);
    press(&mut s, "I have stored the key", "y\r");
    assert_eq!(exit_code(s), 0);
    env.verify(&token, &[]).code(0);
}

#[test]
fn ctrl_c_at_a_hidden_prompt_leaves_echo_on() {
    let env = TestEnv::new();
    // No key file: `list` asks for the passphrase without echo; Ctrl-C there; then the shell
    // prints the terminal's settings.
    let mut c = Command::new("sh");
    // The shell survives the Ctrl-C (a trap with a command is not passed on to apikeys).
    // Echo is switched on first: the pty may start without it.
    c.args(["-c", "stty echo; trap : INT; \"$0\" list; stty -a", BIN]);
    let mut s = spawn_command(&env, c, false, true);
    press(&mut s, "Passphrase for", "\x03");
    s.expect("cancelled").unwrap();
    let flags = s.expect(expectrl::Regex("(-?)echo echoe")).unwrap();
    assert!(
        flags.get(1).unwrap().is_empty(),
        "echo is off after Ctrl-C: {}",
        String::from_utf8_lossy(flags.get(0).unwrap())
    );
    let rest = String::from_utf8_lossy(flags.before()).to_string();
    assert!(!rest.contains("cancelled"), "said twice: {rest}");
}

#[test]
fn no_then_enter_is_one_answer() {
    let env = TestEnv::new();
    env.create("a", &[]);
    let mut s = spawn(&env, &["revoke", "a"], true);
    press(&mut s, "Revoke \"a\"", "n\r");
    s.expect("cancelled").unwrap();
    let rest = rest_of(&mut s);
    assert!(!rest.contains("cancelled"), "said twice: {rest}");
    assert_eq!(exit_code(s), 8);
    assert_eq!(env.key("a")["status"], "active");
}

#[test]
fn the_wizard_creates_a_key() {
    let env = TestEnv::new();
    env.run(&["group", "create", "ops", "--scope", "ops:all"])
        .code(0);
    let mut s = spawn(&env, &["create", "--no-clipboard"], true);
    answer(&mut s, "Name", "wizard-key");
    // The presets come first, 1y preselected; one down is "Custom".
    press(&mut s, "Expires in", DOWN);
    s.send("\r").unwrap();
    answer(&mut s, "Expiry (duration", "3d");
    press(&mut s, "Scopes and groups", " "); // pick "group: ops"
    s.send("\r").unwrap();
    answer(&mut s, "More scopes", "read, write");
    answer(&mut s, "Allowed IPs", "10.0.0.0/8");
    press(&mut s, "I have stored the key", "y\r");
    assert_eq!(exit_code(s), 0);
    let k = env.key("wizard-key");
    assert_eq!(k["groups"], serde_json::json!(["ops"]));
    assert_eq!(k["scopes"], serde_json::json!(["read", "write"]));
    assert_eq!(k["allowed_ips"], serde_json::json!(["10.0.0.0/8"]));
    assert_eq!(k["expiring_soon"], true);
}

#[test]
fn verify_asks_for_the_token_without_echo_on_a_terminal() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let mut s = spawn(&env, &["verify"], true);
    answer(&mut s, "Token", &token);
    let seen = s.expect("valid: ci").unwrap();
    // Typed without echo: the secret part never appears on the terminal.
    let secret = &token[token.len() - 49..token.len() - 6];
    let text = String::from_utf8_lossy(seen.before());
    assert!(!text.contains(secret), "the token was echoed: {text}");
    assert_eq!(exit_code(s), 0);
}

#[test]
fn the_wizard_checks_the_policy_at_each_answer() {
    let env = TestEnv::new();
    let mut s = spawn(&env, &["create", "--no-clipboard"], true);
    answer(&mut s, "Name", "wizard-key");
    press(&mut s, "Expires in", DOWN);
    s.send("\r").unwrap();
    // 400 days is beyond the default max lifetime of a year: asked again at once.
    answer(&mut s, "Expiry (duration", "400d");
    s.expect("max lifetime").unwrap();
    pause();
    // Clear the refused answer, then give one within the policy.
    s.send("\x15").unwrap();
    for _ in 0..4 {
        s.send("\x7f").unwrap();
    }
    s.send_line("30d").unwrap();
    // No group and no scope to pick from: the scopes are asked for as such, not as "more".
    answer(&mut s, "? Scopes, comma-separated", "");
    answer(&mut s, "Allowed IPs", "");
    press(&mut s, "I have stored the key", "y\r");
    assert_eq!(exit_code(s), 0);
    assert_eq!(env.key("wizard-key")["name"], "wizard-key");
}

#[test]
fn the_wizard_asks_again_for_a_name_the_insert_would_refuse() {
    let env = TestEnv::new();
    env.create("web", &[]);
    let other = env.key("web")["id"].as_str().unwrap().to_string();
    let mut s = spawn(&env, &["create", "--no-clipboard"], true);
    // A live key's name in another case: refused at the prompt, before any other question.
    answer(&mut s, "Name", "WEB");
    s.expect("names may not differ only in case").unwrap();
    pause();
    s.send("\x15").unwrap();
    // Another key's id: refused too.
    s.send_line(&other).unwrap();
    s.expect("is the id of another key").unwrap();
    pause();
    s.send("\x15").unwrap();
    s.send_line("web-2").unwrap();
    press(&mut s, "Expires in", "\r");
    answer(&mut s, "? Scopes, comma-separated", "");
    answer(&mut s, "Allowed IPs", "");
    press(&mut s, "I have stored the key", "y\r");
    assert_eq!(exit_code(s), 0);
    assert_eq!(env.key("web-2")["name"], "web-2");
    let list = env.run(&["list", "--format", "json"]).code(0);
    let keys: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(keys.as_array().unwrap().len(), 2, "{}", list.stdout);
}

#[test]
fn a_captured_stdout_is_not_asked_to_acknowledge() {
    let env = TestEnv::new();
    let out = env.path("token.out");
    let mut c = Command::new("sh");
    c.args([
        "-c",
        &format!(
            "{BIN} create --name captured --no-clipboard > {}",
            out.display()
        ),
    ]);
    let mut s = spawn_command(&env, c, true, true);
    s.expect("written to stdout").unwrap();
    assert_eq!(exit_code(s), 0, "it waited for an acknowledgement");
    let token = std::fs::read_to_string(&out).unwrap();
    env.verify(token.trim(), &[]).code(0);
}

#[test]
fn declining_says_nothing_changed() {
    let env = TestEnv::new();
    env.create("a", &[]);
    let mut s = spawn(&env, &["revoke", "a"], true);
    press(&mut s, "Revoke \"a\"", "n\r");
    s.expect("cancelled: nothing changed").unwrap();
    assert_eq!(exit_code(s), 8);
    assert_eq!(env.key("a")["status"], "active");
}

#[test]
fn ctrl_c_at_a_prompt_shows_the_cursor_again_and_changes_nothing() {
    let env = TestEnv::new();
    env.create("a", &[]);
    let mut s = spawn(&env, &["revoke", "a"], true);
    press(&mut s, "Revoke \"a\"", "\x03");
    // The prompt hid the cursor; an interrupt must not leave it hidden.
    s.expect("\x1b[?25h").unwrap();
    s.expect("cancelled: nothing changed").unwrap();
    assert_eq!(exit_code(s), 130);
    assert_eq!(env.key("a")["status"], "active");
}

#[test]
fn a_piped_token_still_gets_its_passphrase_asked_at_the_terminal() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let mut c = Command::new("sh");
    c.args(["-c", "printf %s \"$1\" | \"$0\" verify", BIN, &token]);
    let mut s = spawn_command(&env, c, false, true);
    answer(&mut s, "Passphrase for", PASS);
    s.expect("valid: ci").unwrap();
    assert_eq!(exit_code(s), 0);
}

#[test]
fn a_long_import_shows_progress_at_a_terminal_only() {
    let env = TestEnv::new();
    let lines: String = (0..3000)
        .map(|i| format!("{{\"name\":\"k{i}\"}}\n"))
        .collect();
    let file = env.write("in.jsonl", &lines);
    let secret = env.path("tokens.jsonl");
    let mut s = spawn(
        &env,
        &[
            "import",
            file.to_str().unwrap(),
            "--secret-file",
            secret.to_str().unwrap(),
        ],
        true,
    );
    s.expect(expectrl::Regex("(checking|importing|sealing) +\\["))
        .unwrap();
    s.expect("imported 3000 keys").unwrap();
    assert_eq!(exit_code(s), 0);
    // Without a terminal: the one-line message only.
    let secret = env.path("t2.jsonl");
    let lines: String = (0..3000)
        .map(|i| format!("{{\"name\":\"j{i}\"}}\n"))
        .collect();
    let file = env.write("in2.jsonl", &lines);
    let out = env
        .run(&[
            "import",
            file.to_str().unwrap(),
            "--secret-file",
            secret.to_str().unwrap(),
        ])
        .code(0);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn a_scan_shows_progress_at_a_terminal() {
    let env = TestEnv::new();
    let dir = env.path("tree");
    std::fs::create_dir(&dir).unwrap();
    // The spinner draws at least one frame, then one every 100 ms.
    let line = "nothing to see here, just words and numbers 0123456789\n".repeat(2_000);
    for i in 0..20 {
        std::fs::write(dir.join(format!("f{i}.txt")), &line).unwrap();
    }
    let mut s = spawn(&env, &["scan", dir.to_str().unwrap()], true);
    s.expect(expectrl::Regex(
        "scanning: [0-9]+ files, [0-9]+ MB, [0-9]+ found",
    ))
    .unwrap();
    s.expect("no apikeys tokens found").unwrap();
    assert_eq!(exit_code(s), 0);
    // Without a terminal, nothing but the result.
    let out = env.run(&["scan", dir.to_str().unwrap()]).code(0);
    assert!(!out.stderr.contains("scanning"), "{}", out.stderr);
}

#[test]
fn the_passphrase_is_asked_on_the_terminal_whatever_stdin_and_stderr_are() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    // stderr thrown away: the prompt and the retry note are still on the terminal.
    let mut c = Command::new("sh");
    c.args(["-c", "\"$0\" list --format json 2>/dev/null", BIN]);
    let mut s = spawn_command(&env, c, false, true);
    answer(&mut s, "Passphrase for", "a typo");
    s.expect("wrong passphrase, try again").unwrap();
    answer(&mut s, "Passphrase for", PASS);
    s.expect("\"name\": \"ci\"").unwrap();
    assert_eq!(exit_code(s), 0);
    // The token on a pipe, the passphrase at the terminal, as ssh and gpg ask.
    let file = env.write("token.txt", &format!("{token}\n"));
    let mut c = Command::new("sh");
    c.args([
        "-c",
        "\"$0\" verify < \"$1\" 2>/dev/null; echo \"exit=$?\"",
        BIN,
        file.to_str().unwrap(),
    ]);
    let mut s = spawn_command(&env, c, false, true);
    answer(&mut s, "Passphrase for", PASS);
    let seen = s.expect("exit=0").unwrap();
    let text = String::from_utf8_lossy(seen.before()).to_string();
    assert!(text.contains("valid: ci"), "{text}");
    assert!(!text.contains(PASS), "the passphrase was echoed: {text}");
}
