//! `apikeys verify`: check a token read from stdin; the exit code is the answer (SPEC §4).

use super::Context;
use crate::error::{Error, Result};
use crate::model::{self, KeyRecord};
use crate::output::ser_opt_time;
use crate::store::{Store, crypto, queries};
use crate::token;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, IsTerminal, Read};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A valid verify skips recording last use when the stored time is younger than this.
pub const LAST_USED_THROTTLE_SECS: i64 = 60;

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The token is read from stdin, never from the command line.\n\nExamples:\n  printf '%s' \"$API_TOKEN\" | apikeys verify --scope deploy:write --ip \"$CLIENT_IP\"\n  apikeys verify --batch --key-file ci.key < tokens.txt"
)]
pub struct Args {
    /// The client address to check against the key's allowed IPs
    #[arg(long, value_name = "IP")]
    pub ip: Option<std::net::IpAddr>,
    /// A scope the key must grant (repeatable)
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// Read one token per line; print one json result per line
    #[arg(long)]
    pub batch: bool,
    /// Refused: a token on the command line is visible to every user of the machine
    #[arg(hide = true, value_name = "TOKEN")]
    pub token_on_argv: Option<String>,
}

/// The answer for one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Valid,
    Malformed,
    Unknown,
    Inactive,
    Expired,
    IpDenied,
    ScopeDenied,
}

impl Code {
    /// The exit code of SPEC §4.
    pub fn exit_code(self) -> i32 {
        match self {
            Code::Valid => 0,
            Code::Malformed => 10,
            Code::Unknown => 11,
            Code::Inactive => 12,
            Code::Expired => 13,
            Code::IpDenied => 14,
            Code::ScopeDenied => 15,
        }
    }
}

/// The json result of SPEC §4; id and name only once the secret matched.
#[derive(Debug, Serialize)]
pub struct Outcome {
    pub valid: bool,
    pub code: Code,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(serialize_with = "ser_opt_time")]
    pub expires_at: Option<i64>,
    pub scopes: Vec<String>,
    #[serde(skip)]
    detail: String,
}

impl Outcome {
    fn bare(code: Code, detail: String) -> Self {
        Outcome {
            valid: false,
            code,
            key_id: None,
            name: None,
            expires_at: None,
            scopes: vec![],
            detail,
        }
    }

    fn known(code: Code, k: &KeyRecord, scopes: Vec<String>, detail: String) -> Self {
        Outcome {
            valid: code == Code::Valid,
            code,
            key_id: Some(k.id.clone()),
            name: Some(k.name.clone()),
            expires_at: k.expires_at,
            scopes,
            detail,
        }
    }

    /// The one line for people.
    pub fn line(&self) -> String {
        if self.valid {
            format!("valid: {}", self.detail)
        } else {
            format!("invalid: {}", self.detail)
        }
    }
}

/// An unlocked store and what the checks need from it, loaded once per run.
struct Checker {
    store: Store,
    pepper: crate::secret::Key32,
    groups: BTreeMap<String, Vec<String>>,
}

impl Checker {
    /// Unlocks the store and loads the pepper and the groups.
    fn open(ctx: &Context) -> Result<Checker> {
        let store = ctx.open()?;
        Ok(Checker {
            pepper: store.pepper(),
            groups: queries::groups(store.conn())?,
            store,
        })
    }

    /// Checks a well-formed token against the store: secret, status, expiry, IP, scopes.
    fn check(
        &self,
        t: &token::ParsedToken<'_>,
        args: &Args,
        now: i64,
    ) -> Result<(Outcome, Option<KeyRecord>)> {
        let conn = self.store.conn();
        let given = crypto::secret_hash(&self.pepper, t.id, t.expose_secret());
        let stored = queries::secret_hash(conn, t.id)?;
        // Compare in constant time, against a dummy when the id is unknown.
        let matches: bool = given.ct_eq(&stored.unwrap_or([0; 32])).into();
        let key = if matches && stored.is_some() {
            queries::key_by_id(conn, t.id)?
        } else {
            None
        };
        let Some(k) = key.filter(|k| k.prefix == t.prefix) else {
            return Ok((
                Outcome::bare(Code::Unknown, "unknown key or wrong secret".into()),
                None,
            ));
        };
        let scopes = queries::effective_scopes(&k, &self.groups);
        let name = crate::output::sanitize(&k.name);
        let outcome = if k.revoked {
            Outcome::known(Code::Inactive, &k, scopes, format!("key {name} is revoked"))
        } else if let Some(e) = k.expires_at.filter(|e| *e <= now) {
            Outcome::known(
                Code::Expired,
                &k,
                scopes,
                format!("key {name} expired at {}", crate::output::time(e)),
            )
        } else if let Some(ip) = args.ip.filter(|ip| !model::ip_allowed(&nets(&k), *ip)) {
            Outcome::known(
                Code::IpDenied,
                &k,
                scopes,
                format!("address {ip} is not allowed for key {name}"),
            )
        } else if let Some(s) = args.scopes.iter().find(|s| !scopes.contains(s)) {
            let s = crate::output::sanitize(s);
            Outcome::known(
                Code::ScopeDenied,
                &k,
                scopes,
                format!("scope {s} is not granted to key {name}"),
            )
        } else {
            let exp = k.expires_at.map_or("never expires".into(), |e| {
                format!("expires {}", crate::output::time(e))
            });
            Outcome::known(Code::Valid, &k, scopes, format!("{name} ({exp})"))
        };
        Ok((outcome, Some(k)))
    }
}

fn nets(k: &KeyRecord) -> Vec<ipnet::IpNet> {
    k.allowed_ips
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn malformed(why: token::Malformed) -> Outcome {
    Outcome::bare(Code::Malformed, format!("malformed token: {why}"))
}

/// Reads the single token: a hidden prompt on a terminal, else the first line of stdin.
fn read_one(ctx: &Context) -> Result<Zeroizing<String>> {
    if std::io::stdin().is_terminal() && ctx.interactive {
        let p = crate::prompt::password("Token")?;
        return Ok(Zeroizing::new(
            String::from_utf8_lossy(p.expose_secret_bytes())
                .trim()
                .to_string(),
        ));
    }
    let mut buf = Zeroizing::new(Vec::new());
    // A token is short; reading at most 64 KiB keeps a runaway pipe from filling memory.
    std::io::stdin()
        .take(64 * 1024)
        .read_to_end(&mut buf)
        .map_err(|e| Error::Io(format!("cannot read stdin: {e}")))?;
    let text = String::from_utf8_lossy(&buf);
    Ok(Zeroizing::new(
        text.lines().next().unwrap_or("").trim().to_string(),
    ))
}

/// Records uses in one write, skipping keys whose last use is recent; a failure only warns.
fn record_uses(
    ctx: &Context,
    store: &mut Store,
    used: &HashMap<String, (i64, Option<i64>)>,
    now: i64,
) {
    let due: Vec<_> = used
        .iter()
        .filter(|(_, (_, last))| last.is_none_or(|l| now - l >= LAST_USED_THROTTLE_SECS))
        .map(|(id, (n, _))| (id.clone(), *n))
        .collect();
    if due.is_empty() {
        return;
    }
    let res = store.write(|tx, _| {
        due.iter()
            .try_for_each(|(id, n)| queries::record_use(tx, id, now, *n))
    });
    if let Err(e) = res
        && !ctx.quiet
    {
        eprintln!("warning: the key is valid, but its last use could not be recorded: {e}");
    }
}

/// Runs `verify`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    if args.token_on_argv.is_some() {
        return Err(Error::usage(
            "verify does not take a token on the command line",
            "pipe it on stdin, e.g. printf '%s' \"$TOKEN\" | apikeys verify (argv is visible to every user)",
        ));
    }
    if args.batch {
        return run_batch(ctx, &args);
    }
    let line = read_one(ctx)?;
    let now = crate::policy::now();
    let outcome = match token::parse(&line) {
        Err(why) => malformed(why),
        Ok(t) => {
            let mut checker = Checker::open(ctx)?;
            let (outcome, key) = checker.check(&t, &args, now)?;
            if let (Code::Valid, Some(k)) = (outcome.code, key) {
                record_uses(
                    ctx,
                    &mut checker.store,
                    &HashMap::from([(k.id, (1, k.last_used_at))]),
                    now,
                );
            }
            outcome
        }
    };
    if ctx.json() {
        println!("{}", serde_json::to_string(&outcome)?);
    } else if !ctx.quiet {
        println!("{}", outcome.line());
    }
    match outcome.code.exit_code() {
        0 => Ok(()),
        code => Err(Error::Exit(code)),
    }
}

fn run_batch(ctx: &Context, args: &Args) -> Result<()> {
    let now = crate::policy::now();
    let mut checker: Option<Checker> = None;
    let mut used: HashMap<String, (i64, Option<i64>)> = HashMap::new();
    let mut first_failure = 0;
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = Zeroizing::new(line.map_err(|e| Error::Io(format!("cannot read stdin: {e}")))?);
        let outcome = match token::parse(line.trim()) {
            Err(why) => malformed(why),
            Ok(t) => {
                // Unlock once, on the first well-formed token.
                let checker = match &mut checker {
                    Some(c) => c,
                    None => checker.insert(Checker::open(ctx)?),
                };
                let (outcome, key) = checker.check(&t, args, now)?;
                if let (Code::Valid, Some(k)) = (outcome.code, key) {
                    used.entry(k.id).or_insert((0, k.last_used_at)).0 += 1;
                }
                outcome
            }
        };
        if first_failure == 0 {
            first_failure = outcome.code.exit_code();
        }
        if !ctx.quiet {
            serde_json::to_writer(&mut out, &outcome)?;
            std::io::Write::write_all(&mut out, b"\n")
                .map_err(|e| Error::Io(format!("cannot write stdout: {e}")))?;
        }
    }
    std::io::Write::flush(&mut out).map_err(|e| Error::Io(format!("cannot write stdout: {e}")))?;
    if let Some(c) = checker.as_mut() {
        record_uses(ctx, &mut c.store, &used, now);
    }
    match first_failure {
        0 => Ok(()),
        code => Err(Error::Exit(code)),
    }
}
