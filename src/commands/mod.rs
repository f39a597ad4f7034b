//! One module per subcommand, each with its `Args` and its `run`; the shared context lives here.

pub mod activate;
pub mod admin;
pub mod backup;
pub mod completions;
pub mod counters_args;
pub mod create;
pub mod delete;
pub mod edit;
pub mod group;
pub mod import;
pub mod init;
pub mod list;
pub mod log;
pub mod passwd;
pub mod policy;
pub mod reveal;
pub mod revoke;
pub mod rotate;
pub mod scan;
pub mod select;
pub mod show;
pub mod snapshot_args;
pub mod status;
pub mod usage;
pub mod verifier;
pub mod verify;
pub mod verify_uses;

use crate::cli::{Cli, Command, Format, GlobalArgs};
use crate::error::{Error, Result};
use crate::secret::Passphrase;
use crate::store::Store;
use crate::store::unlock::UnlockOptions;
use std::io::IsTerminal;
use std::path::PathBuf;

/// What every command needs to know about how it was called.
#[derive(Debug)]
pub struct Context {
    pub store_path: PathBuf,
    pub unlock: UnlockOptions,
    /// `--actor` / `APIKEYS_ACTOR`: a note beside the admin, never the admin.
    pub actor_note: Option<String>,
    /// The admin whose slot opened the store (SPEC §13), once it is open.
    pub unlocked_by: std::sync::OnceLock<String>,
    pub format: Format,
    /// `--format` was given (not the default).
    pub format_given: bool,
    pub yes: bool,
    pub quiet: bool,
    /// stdin and stderr are a terminal: prompts may be shown.
    pub interactive: bool,
    /// stdout is a terminal, NO_COLOR is unset and TERM is not dumb.
    pub color: bool,
}

/// A secret from the environment; an empty variable counts as unset. After `serve` handed
/// `APIKEYS_PASSPHRASE` to itself through a pipe (see [`crate::serve::shed_env_passphrase`]),
/// it comes from stdin instead, and the environment no longer holds it.
fn env_secret(name: &str) -> Option<Passphrase> {
    if name == "APIKEYS_PASSPHRASE" && std::env::var_os(crate::serve::PASSPHRASE_ON_STDIN).is_some()
    {
        return crate::store::unlock::read_capped(std::path::Path::new("/dev/stdin"), "passphrase")
            .ok()
            .map(|b| Passphrase::new(String::from_utf8_lossy(&b).into_owned()))
            .filter(|p| !p.is_empty());
    }
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Passphrase::new)
}

/// Whether this process has a controlling terminal to ask on.
fn controlling_terminal() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

/// A path from the environment. Read here rather than by clap, so that clap's usage lines
/// never show an option from the environment as if it had been typed.
fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The store's file name in the platform data dir (SPEC §3).
pub const STORE_FILE: &str = "apikeys.store";

fn default_store() -> PathBuf {
    directories::ProjectDirs::from("", "", "apikeys")
        .map(|d| d.data_dir().join(STORE_FILE))
        .unwrap_or_else(|| PathBuf::from(STORE_FILE))
}

fn os_user() -> String {
    for var in ["USER", "LOGNAME", "USERNAME"] {
        if let Ok(u) = std::env::var(var)
            && !u.trim().is_empty()
        {
            return u;
        }
    }
    // No $USER (containers, CI): the name the passwd database gives this uid.
    let uid = rustix::process::getuid().as_raw();
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|db| {
            db.lines().find_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                (f.nth(1)?.parse::<u32>().ok()? == uid).then(|| name.to_string())
            })
        })
        .unwrap_or_else(|| format!("uid {uid}"))
}

impl Context {
    /// Resolves the global options and the environment.
    pub fn new(g: GlobalArgs) -> Self {
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        // A passphrase is asked at the controlling terminal even when stdin is a pipe or
        // stderr goes elsewhere, as ssh and gpg do (`printf %s "$TOKEN" | apikeys verify`,
        // `apikeys list 2>/dev/null`): the prompt is drawn on and read from /dev/tty.
        let can_ask_passphrase = controlling_terminal();
        let no_color = !crate::term::colour_allowed();
        Context {
            store_path: crate::store::file::resolve(
                &g.store
                    .or_else(|| env_path("APIKEYS_STORE"))
                    .unwrap_or_else(default_store),
            ),
            unlock: UnlockOptions {
                key_file: g.key_file.or_else(|| env_path("APIKEYS_KEY_FILE")),
                passphrase_file: g
                    .passphrase_file
                    .or_else(|| env_path("APIKEYS_PASSPHRASE_FILE")),
                passphrase_env: std::sync::Mutex::new(env_secret("APIKEYS_PASSPHRASE")),
                identity: g.identity.or_else(|| env_path("APIKEYS_IDENTITY")),
                asker: can_ask_passphrase.then(|| {
                    std::sync::Arc::new(crate::term::prompt::Terminal)
                        as std::sync::Arc<dyn crate::store::unlock::Asker>
                }),
            },
            actor_note: g
                .actor
                .or_else(|| std::env::var("APIKEYS_ACTOR").ok())
                .map(|a| {
                    crate::text::sanitize(a.trim())
                        .chars()
                        .take(120)
                        .collect::<String>()
                })
                .filter(|a| !a.is_empty()),
            unlocked_by: std::sync::OnceLock::new(),
            format: g.format.unwrap_or(Format::Table),
            format_given: g.format.is_some(),
            yes: g.yes,
            quiet: g.quiet,
            interactive,
            color: std::io::stdout().is_terminal() && !no_color,
        }
    }

    /// Opens and unlocks the store.
    pub fn open(&self) -> Result<Store> {
        let store = Store::open(&self.store_path, &self.unlock)?;
        if let Some(name) = store.unlocked_by() {
            let _ = self.unlocked_by.set(name.to_string());
        }
        Ok(store)
    }

    /// The audit log's actor (SPEC §13): the admin whose slot opened the store, with the
    /// `--actor` note beside it (`alice (ci-deploy job)`). Before a store is open (init), the
    /// note or the OS user stands alone.
    pub fn actor(&self) -> String {
        match (self.unlocked_by.get(), &self.actor_note) {
            (Some(admin), Some(note)) => format!("{admin} ({note})"),
            (Some(admin), None) => admin.clone(),
            (None, Some(note)) => note.clone(),
            (None, None) => os_user(),
        }
    }

    /// Whether output is json.
    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// Refuses csv for commands that have no csv form.
    pub fn no_csv(&self) -> Result<()> {
        if self.format == Format::Csv {
            return Err(Error::usage(
                "--format csv is only for `list` and `usage`",
                "use --format table or --format json",
            ));
        }
        Ok(())
    }

    /// Refuses early (exit 8) when confirmation could never be given: no terminal, no --yes.
    pub fn require_confirmable(&self, what: &str) -> Result<()> {
        if self.yes || self.interactive {
            Ok(())
        } else {
            Err(Error::Unconfirmed { what: what.into() })
        }
    }

    /// Asks `question` on the terminal unless --yes was given; "no" is exit 8, and says that
    /// nothing changed (declining is a choice, not an error).
    pub fn confirm(&self, what: &str, question: &str) -> Result<()> {
        self.require_confirmable(what)?;
        if self.yes || crate::term::prompt::confirm(question)? {
            Ok(())
        } else {
            eprintln!("cancelled: nothing changed");
            Err(Error::Exit(8))
        }
    }

    /// A line for people, on stderr; silenced by --quiet and by json.
    pub fn note(&self, msg: &str) {
        if !self.quiet && !self.json() {
            eprintln!("{msg}");
        }
    }
}

/// Names keys for a confirmation prompt: `"ci" (id …), "deploy" (id …)`.
pub fn describe_keys(keys: &[crate::model::KeyRecord]) -> String {
    keys.iter()
        .map(|k| format!("{:?} ({})", crate::text::sanitize(&k.name), k.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs the parsed command line. `Error::Exit` carries a result code already reported.
pub fn run(cli: Cli) -> Result<()> {
    let mut ctx = Context::new(cli.global);
    // `admin add NAME --key-file PATH` names the new admin's key file, which clap also hands
    // to the global unlock option of the same name: the admin adding it unlocks with anything
    // else (APIKEYS_KEY_FILE, a passphrase, --identity).
    if let Command::Admin {
        cmd: Some(admin::AdminCommand::Add {
            key_file: Some(p), ..
        }),
    } = &cli.command
        && ctx.unlock.key_file.as_ref() == Some(p)
    {
        ctx.unlock.key_file = env_path("APIKEYS_KEY_FILE").filter(|e| e != p);
    }
    let ctx = ctx;
    if !matches!(
        cli.command,
        Command::List(_) | Command::Usage(usage::Args { cmd: None, .. })
    ) {
        ctx.no_csv()?;
    }
    if ctx.format == Format::Sarif && !matches!(cli.command, Command::Scan(_)) {
        return Err(Error::usage(
            "--format sarif is only for `scan`",
            "use --format table or --format json",
        ));
    }
    match cli.command {
        Command::Init(a) => init::run(&ctx, a),
        Command::Passwd(a) => passwd::run(&ctx, a),
        Command::Create(a) => create::run(&ctx, *a),
        Command::List(a) => list::run(&ctx, a),
        Command::Show(a) => show::run(&ctx, a),
        Command::Revoke(a) => revoke::run(&ctx, a),
        Command::Activate(a) => activate::run(&ctx, a),
        Command::Edit(a) => edit::run(&ctx, *a),
        Command::Delete(a) => delete::run(&ctx, a),
        Command::Import(a) => import::run(&ctx, a),
        Command::Scan(a) => scan::run(&ctx, a),
        Command::Rotate(a) => rotate::run(&ctx, a),
        Command::Verify(a) => verify::run(&ctx, a),
        Command::Serve(a) => {
            crate::serve::shed_env_passphrase();
            crate::serve::run(&ctx, a)
        }
        Command::Admin { cmd } => admin::run(&ctx, cmd.unwrap_or(admin::AdminCommand::List)),
        Command::Group { cmd } => group::run(&ctx, cmd.unwrap_or(group::GroupCommand::List)),
        Command::Policy { cmd } => policy::run(&ctx, cmd.unwrap_or(policy::PolicyCommand::Show)),
        Command::Log(a) => log::run(&ctx, a),
        Command::Status(a) => status::run(&ctx, a),
        Command::Verifier(c) => verifier::run(&ctx, c),
        Command::Usage(a) => usage::run(&ctx, a),
        Command::Top(a) => usage::top::run(&ctx, a),
        Command::Console(a) => crate::console::run(&ctx, a),
        Command::Backup(a) => backup::run(&ctx, a),
        Command::Completions(a) => completions::run(a),
        Command::Man => completions::man(),
    }
}

/// Reports the keys a command changed: json records, or one line each for people.
pub fn report_keys(ctx: &Context, keys: &[crate::model::KeyRecord], verb: &str) -> Result<()> {
    let now = crate::policy::now();
    if ctx.json() {
        return crate::term::output::print_json(
            &keys
                .iter()
                .map(|k| crate::term::output::KeyJson::new(k, now))
                .collect::<Vec<_>>(),
        );
    }
    for k in keys {
        ctx.note(&format!(
            "{verb}: {:?} ({}), now {}",
            crate::text::sanitize(&k.name),
            k.id,
            k.status(now).as_str()
        ));
    }
    Ok(())
}

/// What `serve` needs of the command line: the store, opened with its credential.
impl crate::serve::StoreAccess for Context {
    fn open_store(&self) -> Result<crate::store::Store> {
        self.open()
    }

    fn forget_credential(&self) {
        self.unlock.forget_env_passphrase();
    }
}
