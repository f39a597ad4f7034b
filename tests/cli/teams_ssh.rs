//! Admins by SSH key: an encrypted one asks its passphrase at the terminal, an RSA one works too.

use crate::harness::TestEnv;
use crate::teams::{as_identity, ssh_key};
use std::process::Command;

#[test]
fn an_encrypted_ssh_identity_asks_for_its_passphrase_on_a_terminal() {
    let env = TestEnv::new();
    let dana = ssh_key(&env, "dana_ed25519", "dana-ssh-pass");
    env.with_pass(&[
        "admin",
        "add",
        "dana",
        "--ssh-key",
        &format!("{dana}.pub"),
        "--yes",
    ])
    .code(0);
    env.run(&["create", "--name", "x", "--no-clipboard"])
        .code(0);
    let mut cmd = Command::new(crate::harness::BIN);
    cmd.args(["--identity", &dana, "list", "--format", "json"]);
    let mut s = crate::pty::spawn_command(&env, cmd, false, true);
    // Asked once, though the store has three slots to try; a typo may be typed again. The
    // prompt names the file plainly (no invisible isolate marks around it).
    crate::pty::answer(&mut s, "Passphrase for SSH key", "a typo");
    let retry = s.expect("try again").unwrap();
    let asked = String::from_utf8_lossy(retry.before()).to_string();
    assert!(
        !asked.contains('\u{2068}') && !asked.contains("\\u{2068}"),
        "{asked:?}"
    );
    assert!(asked.contains("dana_ed25519"), "{asked:?}");
    crate::pty::answer(&mut s, "Passphrase for SSH key", "dana-ssh-pass");
    let out = crate::pty::rest_of(&mut s);
    assert!(out.contains("\"x\""), "{out}");
    assert_eq!(crate::pty::exit_code(s), 0);
    // Three wrong passphrases: said as such (exit 3), not "no slot is for this identity".
    let mut cmd = Command::new(crate::harness::BIN);
    cmd.args(["--identity", &dana, "list"]);
    let mut s = crate::pty::spawn_command(&env, cmd, false, true);
    for _ in 0..3 {
        crate::pty::answer(&mut s, "Passphrase for SSH key", "wrong");
    }
    let out = crate::pty::rest_of(&mut s);
    assert!(
        out.contains("wrong passphrase for the SSH key") && !out.contains("no slot"),
        "{out}"
    );
    assert_eq!(crate::pty::exit_code(s), 3);
    // Without a terminal there is no one to ask: exit 3 at once, never a hang, and it says
    // what is missing.
    let out = as_identity(&env, &dana, &["list"]).code(3);
    assert!(
        out.stderr
            .contains("is encrypted, and there is no terminal"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_ssh_rsa_key_is_an_admin_too() {
    let env = TestEnv::new();
    let path = env.path("carol_rsa");
    let ok = Command::new("ssh-keygen")
        .args([
            "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "carol", "-f",
        ])
        .arg(&path)
        .status()
        .expect("ssh-keygen")
        .success();
    assert!(ok);
    let rsa = path.to_str().unwrap().to_string();
    env.with_pass(&[
        "admin",
        "add",
        "carol",
        "--ssh-key",
        &format!("{rsa}.pub"),
        "--yes",
    ])
    .code(0);
    let admins = env
        .run(&["admin", "list", "--format", "json"])
        .code(0)
        .json();
    let carol = admins
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "carol")
        .unwrap()
        .clone();
    assert!(
        carol["fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("SHA256:"),
        "{carol}"
    );
    // Carol unlocks with her RSA key alone, and her writes are hers in the log.
    as_identity(
        &env,
        &rsa,
        &["create", "--name", "by-carol", "--no-clipboard"],
    )
    .code(0);
    let log = as_identity(&env, &rsa, &["log", "--key", "by-carol"])
        .code(0)
        .stdout;
    assert!(log.contains("carol"), "{log}");
    // Removed, she opens nothing written afterwards.
    env.run(&["admin", "remove", "carol", "--yes"]).code(0);
    as_identity(&env, &rsa, &["list"]).code(3);
}
