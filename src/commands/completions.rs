//! `apikeys completions SHELL` and `apikeys man`: generated from the clap definition.

use crate::cli::{AFTER_HELP, Cli};
use crate::error::{Error, Result};
use clap::CommandFactory;
use std::io::Write;

/// Arguments of `completions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

fn write_out(bytes: &[u8]) -> Result<()> {
    std::io::stdout()
        .write_all(bytes)
        .map_err(crate::term::output::stdout_err)
}

/// Prints completions for a shell.
pub fn run(args: Args) -> Result<()> {
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "apikeys", &mut buf);
    write_out(&buf)
}

/// The man page as roff: every subcommand, environment and exit codes.
pub fn man_page() -> Result<Vec<u8>> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut buf = Vec::new();
    let io = |e: std::io::Error| Error::Io(format!("cannot render the man page: {e}"));
    man.render_title(&mut buf).map_err(io)?;
    man.render_name_section(&mut buf).map_err(io)?;
    man.render_synopsis_section(&mut buf).map_err(io)?;
    man.render_description_section(&mut buf).map_err(io)?;
    man.render_options_section(&mut buf).map_err(io)?;
    writeln!(buf, ".SH COMMANDS").map_err(io)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_subcommand(&mut buf, sub, "apikeys").map_err(io)?;
    }
    writeln!(buf, ".SH \"EXIT STATUS AND ENVIRONMENT\"\n.nf").map_err(io)?;
    writeln!(
        buf,
        "{}",
        AFTER_HELP.replace('\\', "\\\\").replace('-', "\\-")
    )
    .map_err(io)?;
    writeln!(buf, ".fi").map_err(io)?;
    man.render_version_section(&mut buf).map_err(io)?;
    Ok(buf)
}

/// Renders one subcommand (and its own subcommands): usage, summary, options.
fn render_subcommand(buf: &mut Vec<u8>, sub: &clap::Command, parent: &str) -> std::io::Result<()> {
    let full = format!("{parent} {}", sub.get_name());
    let mut sub = sub.clone().bin_name(full.clone());
    let usage = sub.render_usage().to_string();
    let usage = usage.trim_start_matches("Usage: ").replace('-', "\\-");
    writeln!(buf, ".SS \"{full}\"\n.B {usage}\n.br")?;
    if let Some(about) = sub.get_about() {
        writeln!(buf, "{}", about.to_string().replace('-', "\\-"))?;
    }
    if sub
        .get_arguments()
        .any(|a| !a.is_global_set() && !a.is_hide_set() && a.get_id() != "help")
    {
        let mut opts = Vec::new();
        clap_mangen::Man::new(sub.clone()).render_options_section(&mut opts)?;
        let text = String::from_utf8_lossy(&opts).replace(".SH OPTIONS\n", "");
        buf.extend_from_slice(text.as_bytes());
    }
    for child in sub
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
    {
        render_subcommand(buf, child, &full)?;
    }
    Ok(())
}

/// Prints the man page.
pub fn man() -> Result<()> {
    write_out(&man_page()?)
}
