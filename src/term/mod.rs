//! What a person sees: prompts, the clipboard, and output (tables, json, csv).

pub mod chart;
pub mod clipboard;
pub mod output;
pub mod progress;
pub mod prompt;
