//! `apikeys import FILE|-`: many keys from JSON lines in one write (SPEC §12). Every line is
//! checked first (one bad line refuses the whole import, with its number, and nothing is
//! written); the tokens go to a new 0600 `--secret-file`, written and fsynced before the keys
//! are committed (SPEC §3 "Token delivery"), so that no key exists whose token was lost.

use super::Context;
use super::create::{Settings, check_lists, check_whose, describe, mint_with};
use crate::error::{Error, Result};
use crate::model;
use crate::policy::{self, Policy};
use crate::store::queries;
use crate::token;
use serde::Deserialize;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::PathBuf;

/// The largest import read: far above 100,000 keys, small enough to refuse a runaway pipe.
const MAX_INPUT: u64 = 1 << 30;

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each line is one JSON object; only \"name\" is required:\n  name         the key's name (as create --name)\n  owner        who it belongs to: a customer, a service\n  meta         an object of strings, e.g. {\"plan\": \"pro\"} (keys [a-z0-9_.-], up to 16)\n  scopes       a list of scopes, e.g. [\"read\", \"orders:write\"]\n  groups       a list of permission groups (they must exist)\n  allow_ip     a list of addresses or CIDRs, e.g. [\"10.0.0.0/8\"]\n  expires      30d, 1y, 2027-01-31, an RFC 3339 time, or never (within the policy)\n  uses         remaining uses, a number from 1\n  refill       \"N/DUR\" with uses, e.g. \"1000/30d\"\n  rate         \"N/DUR\" or a list of them, e.g. [\"100/1s\", \"6000/1h\"]\n  prefix       the token's prefix (default ak)\n  description  free text, up to 1,024 characters\nExample line: {\"name\": \"acme\", \"owner\": \"acme-corp\", \"scopes\": [\"read\"], \"uses\": 1000}\n\nExamples:\n  apikeys import customers.jsonl --secret-file tokens.jsonl\n  jq -c '{name: .id, owner: .company}' customers.json | apikeys import - --secret-file tokens.jsonl"
)]
pub struct Args {
    /// JSON lines, one key each, or - for stdin
    #[arg(value_name = "FILE|-")]
    pub file: String,
    /// Where the tokens go: a new 0600 file of JSON lines {name, id, token}
    #[arg(long, value_name = "PATH", required = true)]
    pub secret_file: PathBuf,
}

/// One line of an import.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    name: String,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    meta: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    allow_ip: Vec<String>,
    #[serde(default)]
    expires: Option<String>,
    #[serde(default)]
    uses: Option<i64>,
    #[serde(default)]
    refill: Option<String>,
    #[serde(default)]
    rate: OneOrMany,
    #[serde(default)]
    prefix: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// `"rate": "100/1s"` or `"rate": ["100/1s", "6000/1h"]`.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn list(&self) -> Vec<String> {
        match self {
            OneOrMany::None => vec![],
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// The error for line `n`: what is wrong there, with the exit code of that kind of error.
fn at_line(n: usize, e: Error) -> Error {
    Error::Context {
        message: format!("line {n}: {}; nothing was imported", e.shown()),
        hint: e.hint(),
        code: e.exit_code(),
    }
}

/// Checks one line against the store as read and turns it into the settings of a key.
fn settings_of(
    ctx: &Context,
    conn: &rusqlite::Connection,
    line: Line,
    now: i64,
) -> Result<Settings> {
    model::check_name("key", &line.name)?;
    if let Some(d) = &line.description {
        model::check_description(d)?;
    }
    let prefix = line.prefix.unwrap_or_else(|| token::DEFAULT_PREFIX.into());
    token::check_prefix(&prefix)?;
    // A meta key is checked as given: joined as K=V and split again, `{"a=b": "c"}` would
    // silently become a=`b=c`.
    if let Some(k) = line.meta.keys().find(|k| k.contains('=')) {
        return Err(Error::usage(
            format!(
                "invalid meta key {:?}: it contains `=`",
                crate::text::sanitize(k)
            ),
            "a meta key is [a-z0-9_.-]{1,32}; the value may hold anything printable",
        ));
    }
    let meta: Vec<String> = line.meta.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let uses = line.uses.map(|u| u.to_string());
    let (owner, meta, remaining) = check_whose(line.owner.as_deref(), &meta, uses.as_deref())?;
    let (scopes, allowed_ips) = check_lists(ctx, &line.scopes, &line.allow_ip)?;
    for g in &line.groups {
        queries::group(conn, g)?;
    }
    if let Some(e) = &line.expires {
        Policy::load(conn)?.check(now, policy::parse_expiry(e, now)?)?;
    }
    let refill = line
        .refill
        .as_deref()
        .map(model::parse_refill)
        .transpose()?
        .flatten();
    if refill.is_some() && remaining.is_none() {
        return Err(Error::usage(
            "a refill needs uses",
            "give \"uses\": N as well",
        ));
    }
    Ok(Settings {
        name: line.name,
        expiry: line.expires,
        scopes,
        groups: line.groups,
        allowed_ips,
        prefix,
        description: line.description.unwrap_or_default(),
        owner,
        meta,
        remaining,
        rates: model::parse_rates(&line.rate.list())?,
        refill,
    })
}

/// Reads the whole input: a file, or stdin for `-`.
fn read_input(file: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let read = if file == "-" {
        std::io::stdin().take(MAX_INPUT).read_to_end(&mut buf)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(MAX_INPUT).read_to_end(&mut buf))
    };
    read.map_err(|e| Error::Io(format!("cannot read {file}: {e}")))?;
    Ok(buf)
}

/// Runs `import`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let input = read_input(&args.file)?;
    let text = std::str::from_utf8(&input).map_err(|e| {
        let n = input[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        at_line(
            n,
            Error::usage("not UTF-8 text", "give JSON lines, one key each"),
        )
    })?;
    // A byte-order mark (Windows editors, PowerShell's Out-File) is not part of the first line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut store = ctx.open()?;
    let now = policy::now();
    // Every line is checked before anything is shown or written.
    let lines = text.lines().count() as u64;
    let bar = crate::term::progress::bar(lines, "checking", ctx.quiet);
    let mut all = Vec::new();
    let mut names = HashSet::new();
    let live = queries::live_names(store.conn())?;
    for (i, raw) in text.lines().enumerate() {
        bar.inc(1);
        let n = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        if raw.trim_start().starts_with('[') {
            return Err(at_line(
                n,
                Error::usage(
                    "a JSON array: import reads JSON lines, one key's object a line",
                    "give one object per line; an array becomes that with jq -c '.[]' FILE",
                ),
            ));
        }
        let line: Line = serde_json::from_str(raw).map_err(|e| {
            let what = match e.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => format!(
                    "not valid JSON (at column {}): a JSON object such as {{\"name\": \"acme\"}} was expected",
                    e.column()
                ),
                _ => format!("not a key: {}", first_words(&e.to_string())),
            };
            at_line(
                n,
                Error::usage(
                    what,
                    "each line is one JSON object with at least \"name\"; the fields are listed by `apikeys import --help`",
                ),
            )
        })?;
        let s = settings_of(ctx, store.conn(), line, now).map_err(|e| at_line(n, e))?;
        // Names differ by more than case, here as in the store.
        if !names.insert(s.name.to_ascii_lowercase()) {
            return Err(at_line(
                n,
                Error::conflict(
                    format!(
                        "the name {:?} is on an earlier line too",
                        crate::text::sanitize(&s.name)
                    ),
                    "every key needs a name of its own",
                ),
            ));
        }
        if let Some(held) = live.get(&s.name.to_ascii_lowercase()) {
            return Err(at_line(
                n,
                queries::name_held(
                    held,
                    &s.name,
                    "give this line another \"name\", or leave it out (nothing was imported)",
                ),
            ));
        }
        all.push((n, s));
    }
    bar.finish_and_clear();
    if all.is_empty() {
        return Err(Error::usage(
            "nothing to import: the input has no key",
            "give JSON lines, one key each",
        ));
    }
    // Tokens from the OS CSPRNG, each id unique among the new ones and the store's.
    let mut ids = HashSet::new();
    let mut minted = Vec::with_capacity(all.len());
    for (n, s) in all {
        let t = loop {
            let t = token::generate(&s.prefix)?;
            if ids.insert(t.id.clone()) && !queries::id_or_name_used(store.conn(), &t.id)? {
                break t;
            }
        };
        minted.push((n, s, t));
    }
    // Delivered first: written and fsynced before any key exists.
    crate::store::file::ensure_dir(&args.secret_file)?;
    let mut file = crate::store::file::create_private(&args.secret_file, "secret file")?;
    let mut out = zeroize::Zeroizing::new(String::with_capacity(minted.len() * 128));
    for (_, s, t) in &minted {
        #[derive(serde::Serialize)]
        struct Delivered<'a> {
            name: &'a str,
            id: &'a str,
            token: &'a str,
        }
        out.push_str(&serde_json::to_string(&Delivered {
            name: &s.name,
            id: &t.id,
            token: t.token.expose_secret(),
        })?);
        out.push('\n');
    }
    let delivered = file
        .write_all(out.as_bytes())
        .and_then(|()| file.sync_all());
    drop(out);
    if let Err(e) = delivered {
        let _ = std::fs::remove_file(&args.secret_file);
        return Err(Error::io("write secret file", &args.secret_file, e));
    }
    let pepper = store.pepper();
    let bar = crate::term::progress::bar(minted.len() as u64, "importing", ctx.quiet);
    let written = store.write(|tx, _| {
        for (n, s, t) in &minted {
            bar.inc(1);
            let record =
                mint_with(tx, &pepper, &ctx.actor(), s, now, t).map_err(|e| at_line(*n, e))?;
            queries::audit(
                tx,
                now,
                &ctx.actor(),
                "import",
                Some(&record),
                &describe(&record),
            )?;
        }
        bar.set_message("sealing");
        Ok(minted.len())
    });
    bar.finish_and_clear();
    match written {
        Ok(count) => {
            if ctx.json() {
                crate::term::output::print_json(&serde_json::json!({
                    "imported": count,
                    "secret_file": args.secret_file,
                }))
            } else {
                ctx.note(&format!(
                    "imported {}; their tokens are in {} (0600), only there",
                    crate::text::count(count, "key"),
                    args.secret_file.display()
                ));
                Ok(())
            }
        }
        Err(e) => {
            let _ = std::fs::remove_file(&args.secret_file);
            Err(Error::Context {
                message: format!(
                    "the keys could not be written, so the tokens written to {} are not valid (the file is removed): {}",
                    args.secret_file.display(),
                    e.shown()
                ),
                hint: e.hint(),
                code: e.exit_code(),
            })
        }
    }
}

/// The start of a parser's message, without the input it may quote.
fn first_words(msg: &str) -> String {
    msg.split(" at line ").next().unwrap_or(msg).to_string()
}
