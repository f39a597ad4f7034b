//! The clipboard through a real X server (Xvfb) and xclip; skipped with a notice where missing.

use crate::harness::{TestEnv, have};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts Xvfb on a display it picks itself (-displayfd: no race between parallel tests),
/// or says why not and returns None.
fn xvfb() -> Option<Xvfb> {
    if !have("Xvfb") || !have("xclip") {
        crate::harness::missing("Xvfb or xclip is not installed");
        return None;
    }
    let mut child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take()?),
        &mut line,
    )
    .ok()?;
    let n = line.trim();
    if n.is_empty() {
        crate::harness::missing("Xvfb did not start");
        let _ = child.kill();
        return None;
    }
    Some(Xvfb {
        display: format!(":{n}"),
        child,
    })
}

fn clip(display: &str) -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Creates a key with the clipboard on; returns its token once the helper owns the clipboard.
fn create_with_clipboard(env: &TestEnv, x: &Xvfb, name: &str, secs: &str) -> String {
    let mut cmd = env.cmd(&["create", "--name", name]);
    // A passphrase in the environment (unused: the key file comes first) must not reach the helper.
    cmd.env("DISPLAY", &x.display)
        .env("APIKEYS_CLIP_SECONDS", secs)
        .env("APIKEYS_PASSPHRASE", marker(env))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("copied to the clipboard"), "{stderr}");
    // output() returned while the helper lives on: it does not hold the caller's pipes open.
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_token_not_in_proc(env, &token);
    token
}

/// A passphrase value no other test uses (its temp dir is unique), to find in /proc if it leaked.
fn marker(env: &TestEnv) -> String {
    format!("clipboard-test-passphrase-{}", env.dir.path().display())
}

/// No process (the helper among them) carries the token in its argv or environment, nor the
/// passphrase in its environment.
fn assert_token_not_in_proc(env: &TestEnv, token: &str) {
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        for file in ["cmdline", "environ"] {
            if let Ok(bytes) = std::fs::read(entry.path().join(file)) {
                let text = String::from_utf8_lossy(&bytes);
                let name = entry.file_name();
                assert!(
                    !text.contains(&token[10..]),
                    "token found in /proc/{name:?}/{file}"
                );
                assert!(
                    !text.contains(&marker(env)),
                    "passphrase found in /proc/{name:?}/{file}"
                );
            }
        }
    }
}

/// Whether a clipboard helper of this display is still running.
fn helper_running(display: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
        let read = |f: &str| std::fs::read(entry.path().join(f)).unwrap_or_default();
        String::from_utf8_lossy(&read("cmdline")).contains("__clipboard-helper")
            && read("environ")
                .split(|b| *b == 0)
                .any(|v| v == format!("DISPLAY={display}").as_bytes())
    })
}

fn wait_for(what: &str, mut cond: impl FnMut() -> bool, secs: u64) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(secs) {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for: {what}");
}

#[test]
fn the_clipboard_holds_the_token_then_is_cleared() {
    let Some(x) = xvfb() else { return };
    let env = TestEnv::new();
    let token = create_with_clipboard(&env, &x, "ci", "3");
    assert_eq!(
        clip(&x.display),
        token,
        "the helper owns the clipboard after create exits"
    );
    wait_for(
        "the clipboard to be cleared",
        || clip(&x.display).is_empty(),
        15,
    );
}

#[test]
fn a_changed_clipboard_is_left_alone() {
    let Some(x) = xvfb() else { return };
    let env = TestEnv::new();
    let token = create_with_clipboard(&env, &x, "ci", "3");
    assert_eq!(clip(&x.display), token);
    let mut xclip = Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .env("DISPLAY", &x.display)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut xclip.stdin.take().unwrap(),
        b"something the user copied",
    )
    .unwrap();
    xclip.wait().unwrap();
    // The helper ends when its time is up (3 s here); the user's copy is still there.
    wait_for(
        "the clipboard helper to end",
        || !helper_running(&x.display),
        15,
    );
    assert_eq!(clip(&x.display), "something the user copied");
}

#[test]
fn without_a_display_the_token_is_still_printed() {
    let env = TestEnv::new();
    let out = env.run(&["create", "--name", "ci"]).code(0);
    assert!(out.stdout.trim().starts_with("ak_"));
    let notice: Vec<_> = out
        .stderr
        .lines()
        .filter(|l| l.contains("clipboard"))
        .collect();
    assert_eq!(notice.len(), 1, "{out:?}");
    assert!(notice[0].contains("no display"));
}
