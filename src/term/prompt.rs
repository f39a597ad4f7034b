//! Dialoguer prompts. Every caller checks for a terminal first, so nothing here can hang a script.

use crate::error::{Error, Result};
use crate::secret::Passphrase;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};

/// The shortest passphrase `init` and `passwd` accept.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// What "cancelled: …" says after Ctrl-C: the truth about what was and was not changed.
static CANCEL_NOTE: std::sync::Mutex<&'static str> = std::sync::Mutex::new("nothing changed");
/// Set once the cancellation has been announced: it is said once, whichever path sees it
/// (dialoguer's Interrupted error or the SIGINT thread), and the lock is held while it is
/// said, so the thread that exits the process waits until the other path has finished.
static ANNOUNCED: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
/// The terminal's settings before the first prompt, restored on Ctrl-C (a hidden-input
/// prompt turns echo off, and SIGINT would otherwise leave it off).
static SAVED: std::sync::OnceLock<Option<(std::fs::File, rustix::termios::Termios)>> =
    std::sync::OnceLock::new();

/// Sets what a Ctrl-C from now on says was (not) changed.
pub fn on_cancel_say(note: &'static str) {
    *CANCEL_NOTE.lock().unwrap_or_else(|p| p.into_inner()) = note;
}

fn save_terminal() {
    SAVED.get_or_init(|| {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()?;
        let t = rustix::termios::tcgetattr(&tty).ok()?;
        Some((tty, t))
    });
}

/// Puts the terminal back as it was (echo on, cursor shown), takes a withdrawn token off the
/// clipboard, and says once what was and was not changed.
fn announce_cancel() {
    let mut said = ANNOUNCED.lock().unwrap_or_else(|p| p.into_inner());
    if *said {
        return;
    }
    *said = true;
    if let Some(Some((tty, t))) = SAVED.get() {
        let _ = rustix::termios::tcsetattr(tty, rustix::termios::OptionalActions::Now, t);
    }
    let cleared = crate::term::clipboard::withdraw();
    let note = *CANCEL_NOTE.lock().unwrap_or_else(|p| p.into_inner());
    eprint!("\x1b[?25h\ncancelled: {note}\n");
    if cleared {
        eprintln!("the token was taken off the clipboard");
    }
}

/// Ctrl-C at a prompt would end the process with the cursor hidden (dialoguer hides it while
/// it draws a choice) or echo off (while it reads a passphrase). While prompts may be shown,
/// SIGINT is taken by a thread that restores the terminal, says what changed, and exits 130.
fn restore_terminal_on_interrupt() {
    save_terminal();
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT])
        else {
            return;
        };
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                announce_cancel();
                std::process::exit(130);
            }
        });
    });
}

fn io(e: dialoguer::Error) -> Error {
    // A prompt interrupted (Ctrl-C) may leave the cursor hidden: show it again, always.
    eprint!("\x1b[?25h");
    let dialoguer::Error::IO(io) = &e;
    if io.kind() == std::io::ErrorKind::Interrupted {
        announce_cancel();
        return Error::Exit(130);
    }
    Error::Io(format!("cannot read from the terminal: {e}"))
}

fn theme() -> ColorfulTheme {
    ColorfulTheme::default()
}

/// The controlling terminal, for reading and writing: prompts for a secret are drawn and
/// read there, as ssh and gpg do, whatever stdin and stderr are (a pipe, `2>/dev/null`).
fn controlling_tty() -> Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| Error::Io(format!("cannot open the terminal /dev/tty: {e}")))
}

/// Says one line on the controlling terminal (a retry after a wrong passphrase), so that it
/// is seen where the prompt was, even with stderr sent elsewhere.
pub fn say_on_tty(line: &str) {
    use std::io::Write;
    if let Ok(mut tty) = controlling_tty() {
        let _ = writeln!(tty, "{}", crate::text::sanitize(line));
    }
}

/// The terminal as the store's [`Asker`](crate::store::unlock::Asker): secrets asked and
/// retries said on `/dev/tty`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal;

impl crate::store::unlock::Asker for Terminal {
    fn secret(&self, prompt: &str) -> Result<Passphrase> {
        password(prompt)
    }

    fn say(&self, line: &str) {
        say_on_tty(line);
    }
}

/// The longest passphrase read at a prompt.
const MAX_TYPED: usize = 4096;

/// Asks for a passphrase without echo on the controlling terminal (`/dev/tty`).
pub fn password(prompt: &str) -> Result<Passphrase> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    use std::io::{Read, Write};
    restore_terminal_on_interrupt();
    let mut tty = controlling_tty()?;
    let failed = |e: std::io::Error| Error::Io(format!("cannot read from the terminal: {e}"));
    let saved = tcgetattr(&tty).map_err(|e| failed(e.into()))?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ICANON);
    // Echo off (and what was typed before the prompt dropped) first, then the prompt: what
    // is typed once the prompt shows is never echoed nor lost.
    tcsetattr(&tty, OptionalActions::Flush, &quiet).map_err(|e| failed(e.into()))?;
    write!(tty, "{prompt}: ")
        .and_then(|()| tty.flush())
        .map_err(failed)?;
    let mut line = zeroize::Zeroizing::new(Vec::with_capacity(64));
    let mut byte = [0u8; 1];
    let read = loop {
        match tty.read(&mut byte) {
            Ok(0) => break Ok(()),
            Ok(_) if byte[0] == b'\n' => break Ok(()),
            Ok(_) if line.len() < MAX_TYPED => line.push(byte[0]),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(failed(e)),
        }
    };
    // Echo back on, whatever happened, before anything else is said.
    let _ = tcsetattr(&tty, OptionalActions::Now, &saved);
    let _ = writeln!(tty);
    read?;
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    let text = String::from_utf8(line.to_vec())
        .map_err(|_| Error::usage("the passphrase typed is not UTF-8", "type it again"))?;
    Ok(Passphrase::new(text))
}

/// Asks for a new passphrase twice; a mismatch or a short one asks again.
pub fn new_password(prompt: &str) -> Result<Passphrase> {
    restore_terminal_on_interrupt();
    Password::with_theme(&theme())
        .with_prompt(prompt)
        .with_confirmation("Repeat it", "the passphrases do not match, try again")
        .validate_with(|p: &String| -> std::result::Result<(), String> {
            if p.chars().count() >= MIN_PASSPHRASE_CHARS {
                Ok(())
            } else {
                Err(format!("use at least {MIN_PASSPHRASE_CHARS} characters"))
            }
        })
        .interact()
        .map(Passphrase::new)
        .map_err(io)
}

/// Asks a yes/no question, defaulting to no.
pub fn confirm(question: &str) -> Result<bool> {
    restore_terminal_on_interrupt();
    // An answer is a key and Enter, as people type it: `n` then Enter is one "no", never two.
    Confirm::with_theme(&theme())
        .with_prompt(question)
        .default(false)
        .wait_for_newline(true)
        .interact()
        .map_err(io)
}

/// Asks for a line of text; `validate` returns an error message for unacceptable input.
pub fn input(
    prompt: &str,
    allow_empty: bool,
    validate: impl Fn(&String) -> std::result::Result<(), String>,
) -> Result<String> {
    restore_terminal_on_interrupt();
    Input::<String>::with_theme(&theme())
        .with_prompt(prompt)
        .allow_empty(allow_empty)
        .validate_with(move |s: &String| validate(s))
        .interact_text()
        .map_err(io)
}

/// Asks to pick one item.
pub fn select(prompt: &str, items: &[String], default: usize) -> Result<usize> {
    restore_terminal_on_interrupt();
    Select::with_theme(&theme())
        .with_prompt(prompt)
        .items(items)
        .default(default)
        .interact()
        .map_err(io)
}

/// Asks to pick any number of items.
pub fn multi_select(prompt: &str, items: &[String]) -> Result<Vec<usize>> {
    restore_terminal_on_interrupt();
    MultiSelect::with_theme(&theme())
        .with_prompt(prompt)
        .items(items)
        .interact()
        .map_err(io)
}
