//! Issue 21: the shipped systemd units (docs/systemd/) pass `systemd-analyze verify` and score
//! at most 2.0 in `systemd-analyze security --offline`, and `serve` tells systemd it is ready
//! (Type=notify) once it listens.

use crate::harness::{BIN, TestEnv};
use crate::server::Server;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn analyze_available() -> bool {
    let ok = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        crate::harness::missing("systemd-analyze is not installed (Debian systemd)");
    }
    ok
}

#[test]
fn the_units_verify_and_score_at_most_2() {
    if !analyze_available() {
        return;
    }
    let env = TestEnv::bare();
    for unit in ["apikeys.service", "apikeys-verifier.service"] {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docs/systemd")
                .join(unit),
        )
        .unwrap();
        assert!(text.contains("Type=notify") && text.contains("LoadCredential="));
        assert!(
            !text.contains("APIKEYS_PASSPHRASE"),
            "no secret in the environment"
        );
        // The binary where the unit says it is, so that verify can check it exists.
        let path = env.path(unit);
        std::fs::write(&path, text.replace("/usr/local/bin/apikeys", BIN)).unwrap();
        let verify = Command::new("systemd-analyze")
            .args(["verify"])
            .arg(&path)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&verify.stderr).to_string();
        assert!(verify.status.success(), "{unit}: {said}");
        assert!(!said.contains(unit), "{unit}: verify complained: {said}");
        let security = Command::new("systemd-analyze")
            .args(["security", "--offline=true", "--no-pager"])
            .arg(&path)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&security.stdout);
        let score: f64 = out
            .lines()
            .find_map(|l| l.split("exposure level for ").nth(1))
            .and_then(|rest| rest.split(": ").nth(1))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no score: {out}"));
        eprintln!("{unit}: exposure {score}");
        assert!(score <= 2.0, "{unit} scores {score}:\n{out}");
    }
}

#[test]
fn serve_tells_systemd_it_is_ready_once_it_listens() {
    let env = TestEnv::new();
    let sock_path = env.path("notify.sock");
    let sock = std::os::unix::net::UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut cmd = env.cmd(&["serve", "--listen", "127.0.0.1:0"]);
    cmd.env("NOTIFY_SOCKET", &sock_path)
        .stdout(std::process::Stdio::null());
    // spawn() returns once serve has logged "listening on".
    let s = Server::spawn(cmd);
    let mut buf = [0u8; 256];
    let n = sock.recv(&mut buf).expect("a notification");
    let msg = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(msg.contains("READY=1"), "{msg}");
    assert_eq!(s.stop(), Some(0));
    let n = sock.recv(&mut buf).expect("a stopping notification");
    assert!(String::from_utf8_lossy(&buf[..n]).contains("STOPPING=1"));
}
