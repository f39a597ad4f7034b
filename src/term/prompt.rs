//! Dialoguer prompts. Every caller checks for a terminal first, so nothing here can hang a script.

use crate::error::{Error, Result};
use crate::secret::Passphrase;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};

/// The shortest passphrase `init` and `passwd` accept.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Ctrl-C at a prompt would end the process with the cursor hidden (dialoguer hides it while
/// it draws a choice). While prompts may be shown, SIGINT is taken by a thread that shows the
/// cursor again, says nothing changed, and exits 130.
fn restore_terminal_on_interrupt() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT])
        else {
            return;
        };
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                eprint!("\x1b[?25h\ncancelled: nothing changed\n");
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
        eprintln!("\ncancelled: nothing changed");
        return Error::Exit(130);
    }
    Error::Io(format!("cannot read from the terminal: {e}"))
}

fn theme() -> ColorfulTheme {
    ColorfulTheme::default()
}

/// Asks for a passphrase without echo.
pub fn password(prompt: &str) -> Result<Passphrase> {
    restore_terminal_on_interrupt();
    Password::with_theme(&theme())
        .with_prompt(prompt)
        .allow_empty_password(true)
        .interact()
        .map(Passphrase::new)
        .map_err(io)
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
    Confirm::with_theme(&theme())
        .with_prompt(question)
        .default(false)
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
