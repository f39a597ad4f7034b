//! What a person sees: prompts, the clipboard, and output (tables, json, csv).

pub mod chart;

/// Whether colour may be used on a terminal: not with `NO_COLOR` set (no-color.org), nor on a
/// terminal that says it cannot show it (`TERM=dumb`: an editor's shell, a serial console).
pub fn colour_allowed() -> bool {
    let set = |v: &str| std::env::var_os(v).is_some_and(|v| !v.is_empty());
    !set("NO_COLOR") && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

pub mod clipboard;
pub mod output;
pub mod progress;
pub mod prompt;
