//! Copy-once to the clipboard (SPEC §5): on X11 the clipboard empties when its owner exits, so a
//! short-lived helper (this binary, `__clipboard-helper`) owns it and clears it after a timeout,
//! but only while it still holds the token. The token reaches the helper through a pipe.

use crate::secret::TokenString;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The argument that starts the helper; hidden from help.
pub const HELPER_ARG: &str = "__clipboard-helper";
/// Seconds the token stays on the clipboard unless `APIKEYS_CLIP_SECONDS` says otherwise.
pub const DEFAULT_SECONDS: u64 = 45;

/// How long the helper keeps the token: `APIKEYS_CLIP_SECONDS` (1 to 3600; 0 = do not copy
/// at all), 45 when unset. Anything else is an error, never silently 45.
pub fn configured_seconds() -> crate::Result<Option<u64>> {
    let Ok(v) = std::env::var("APIKEYS_CLIP_SECONDS") else {
        return Ok(Some(DEFAULT_SECONDS));
    };
    match v.trim().parse::<u64>() {
        Ok(0) => Ok(None),
        Ok(n) if n <= 3600 => Ok(Some(n)),
        _ => Err(crate::Error::usage(
            format!(
                "APIKEYS_CLIP_SECONDS={:?} is not a number of seconds from 0 to 3600",
                crate::text::sanitize(&v)
            ),
            "set it to 1-3600 (how long the token stays on the clipboard) or 0 (never copy)",
        )),
    }
}

/// How long the helper keeps the token (checked before any key is minted).
pub fn seconds() -> u64 {
    configured_seconds()
        .ok()
        .flatten()
        .unwrap_or(DEFAULT_SECONDS)
}

/// Whether a clipboard can be reached from here: `Ok` with what serves it, or why not.
pub fn reachable() -> Result<&'static str, String> {
    if cfg!(target_os = "linux")
        && ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .all(|v| std::env::var_os(v).is_none_or(|x| x.is_empty()))
    {
        return Err("no display".into());
    }
    arboard::Clipboard::new()
        .map(|_| "display clipboard")
        .map_err(|e| e.to_string())
}

/// The helper that owns the clipboard now, if this process started one: withdrawing a token
/// (a delivery that failed, Ctrl-C at "I have stored the key") ends it, and with it the
/// clipboard's content (X11 and Wayland drop a selection whose owner is gone).
static HELPER: std::sync::Mutex<Option<std::process::Child>> = std::sync::Mutex::new(None);

/// Takes the token off the clipboard again if this process put it there and the helper
/// still holds it. Returns whether it did.
pub fn withdraw() -> bool {
    let mut held = HELPER.lock().unwrap_or_else(|p| p.into_inner());
    let Some(mut child) = held.take() else {
        return false;
    };
    if !matches!(child.try_wait(), Ok(None)) {
        return false;
    }
    let _ = child.kill();
    let _ = child.wait();
    true
}

/// Hands the token to a background helper. Ok(seconds) once the helper owns the clipboard,
/// or the reason it could not.
pub fn copy_once(token: &TokenString) -> Result<u64, String> {
    if cfg!(target_os = "linux")
        && ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .all(|v| std::env::var_os(v).is_none_or(|x| x.is_empty()))
    {
        return Err("no display".into());
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find own executable: {e}"))?;
    let mut cmd = Command::new(exe);
    cmd.arg(HELPER_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // The helper needs the display, not the store's secrets.
    for var in [
        "APIKEYS_PASSPHRASE",
        "APIKEYS_NEW_PASSPHRASE",
        "APIKEYS_KEY_FILE",
        "APIKEYS_PASSPHRASE_FILE",
    ] {
        cmd.env_remove(var);
    }
    // Its own process group: Ctrl-C at the prompt that follows must not take the helper along,
    // and it must not hold the caller's stdout open (a `$(...)` would wait for it).
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start the clipboard helper: {e}"))?;
    {
        let mut stdin = child
            .stdin
            .take()
            .ok_or("no pipe to the clipboard helper")?;
        stdin
            .write_all(token.expose_secret().as_bytes())
            .map_err(|e| format!("cannot reach the clipboard helper: {e}"))?;
    }
    let stdout = child
        .stdout
        .take()
        .ok_or("no pipe from the clipboard helper")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    match rx.recv_timeout(Duration::from_secs(5)) {
        Ok(line) if line.trim() == "ok" => {
            *HELPER.lock().unwrap_or_else(|p| p.into_inner()) = Some(child);
            Ok(seconds())
        }
        Ok(line) if line.trim().is_empty() => Err("the clipboard helper stopped".into()),
        Ok(line) => Err(line.trim().trim_start_matches("error: ").to_string()),
        Err(_) => {
            let _ = child.kill();
            Err("the clipboard helper did not answer".into())
        }
    }
}

/// The helper process: reads the token from stdin, owns the clipboard, clears it when the
/// time is up if it still holds the token. Reports `ok` or `error: …` on stdout first.
///
/// It sets the clipboard once and then polls, rather than blocking in `SetExtLinux::wait_until`,
/// so that `ok` is reported only once the clipboard really is ours, and a second `set` can
/// never overwrite what the user copied in between.
pub fn run_helper() -> i32 {
    let mut token = Zeroizing::new(String::new());
    if std::io::stdin().read_to_string(&mut token).is_err() || token.is_empty() {
        println!("error: no token received");
        return 1;
    }
    let deadline = Instant::now() + Duration::from_secs(seconds());
    let mut clip = match arboard::Clipboard::new() {
        Ok(c) => c,
        Err(e) => {
            println!("error: {}", first_line(&e.to_string()));
            return 1;
        }
    };
    if let Err(e) = set(&mut clip, &token) {
        println!("error: {}", first_line(&e.to_string()));
        return 1;
    }
    println!("ok");
    let _ = std::io::stdout().flush();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        std::thread::sleep(left.min(Duration::from_millis(200)));
        let still_ours = clip
            .get_text()
            .is_ok_and(|t| Zeroizing::new(t).as_str() == token.as_str());
        if !still_ours {
            // Someone copied something else: leave it alone.
            return 0;
        }
        if left.is_zero() {
            let _ = clip.clear();
            return 0;
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or("clipboard unavailable")
        .to_string()
}

#[cfg(target_os = "linux")]
fn set(clip: &mut arboard::Clipboard, token: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux;
    clip.set().exclude_from_history().text(token)
}

#[cfg(not(target_os = "linux"))]
fn set(clip: &mut arboard::Clipboard, token: &str) -> Result<(), arboard::Error> {
    clip.set_text(token)
}
