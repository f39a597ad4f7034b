//! `apikeys verify`: check a token read from stdin; the exit code is the answer (SPEC §4).
//! A thin front end on [`crate::engine`].

use super::Context;
use super::verify_uses::{Take, Used, finish, grant};
use crate::counters::redis::RedisCounters;
use crate::engine::KeySet;
use crate::engine::pipeline::{self, Given};
use crate::engine::{Outcome, Paste, Request};
use crate::error::{Error, Result};
use crate::snapshot::Meta;
use crate::source::Source;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

mod batch;
use batch::{How, run_batch, warn_if_stale};

/// The longest line `--batch` reads as a token; a longer one is `malformed`.
pub const MAX_LINE: usize = 64 * 1024;
/// How often `--batch` looks whether the store changed on disk.
const RELOAD_EVERY: Duration = Duration::from_secs(1);

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The token is read from stdin, never from the command line. A key limited to some\naddresses is denied (14) unless --ip names one of them.\n\nExamples:\n  printf '%s' \"$API_TOKEN\" | apikeys verify --scope deploy:write --ip \"$CLIENT_IP\"\n  apikeys verify --batch --key-file ci.key < tokens.txt\n\nWith --batch, one json line per token (json only); the exit code is that of the first token\nthat was not valid, 0 when every one was."
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
    /// What this request weighs: it takes N from every rate bucket and N uses (1 to 1000)
    #[arg(
        long,
        value_name = "N",
        default_value = "1",
        allow_hyphen_values = true
    )]
    pub cost: String,
    /// Answer as of TIME (RFC 3339, or YYYY-MM-DD for midnight UTC) instead of now: expiry,
    /// grace periods, refills and rates as they will (or did) stand. Records nothing; limits
    /// are judged from the state as stored, without --counters
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Print each check in order with its outcome on stderr (never the secret)
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub snapshot: super::snapshot_args::SnapshotArgs,
    #[command(flatten)]
    pub counters: super::counters_args::CountersArgs,
    /// Refused, for the same reason (and so that clap does not suggest `--store` for it)
    #[arg(long = "token", hide = true, value_name = "TOKEN")]
    pub token_flag: Option<String>,
}

/// Reads the single token: a hidden prompt on a terminal, else the one line of stdin that is
/// not blank. Several are refused (`Paste::Lines`): a gate fed a list by mistake never
/// passes on its first token.
fn read_one(ctx: &Context) -> Result<std::result::Result<Zeroizing<String>, Paste>> {
    if std::io::stdin().is_terminal() && ctx.interactive {
        let p = crate::term::prompt::password("Token")?;
        return Ok(Ok(Zeroizing::new(
            String::from_utf8_lossy(p.expose_secret_bytes())
                .trim()
                .to_string(),
        )));
    }
    let mut buf = Zeroizing::new(Vec::new());
    // A token is short; reading at most 64 KiB keeps a runaway pipe from filling memory.
    std::io::stdin()
        .take(MAX_LINE as u64)
        .read_to_end(&mut buf)
        .map_err(|e| Error::Io(format!("cannot read stdin: {e}")))?;
    let text = Zeroizing::new(String::from_utf8_lossy(&buf).into_owned());
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    Ok(match (lines.next(), lines.next()) {
        (_, Some(_)) => Err(Paste::Lines),
        (one, None) => Ok(Zeroizing::new(one.unwrap_or("").to_string())),
    })
}

/// The clock a verify answers at: now (read per token), or `--at` (and then nothing is
/// recorded).
#[derive(Debug, Clone, Copy)]
struct Clock {
    at_ms: Option<i64>,
}

impl Clock {
    fn parse(at: Option<&str>) -> Result<Clock> {
        let at_ms = at
            .map(|t| {
                let t = t.trim();
                chrono::DateTime::parse_from_rfc3339(t)
                    .map(|d| d.timestamp_millis())
                    .or_else(|_| {
                        chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map(|d| {
                            d.and_hms_opt(0, 0, 0)
                                .map_or(0, |x| x.and_utc().timestamp_millis())
                        })
                    })
                    .map_err(|_| {
                        Error::usage(
                            format!("invalid --at {:?}", crate::text::sanitize(t)),
                            "give an RFC 3339 time (2027-01-31T12:00:00Z) or a date (2027-01-31)",
                        )
                    })
            })
            .transpose()?;
        Ok(Clock { at_ms })
    }

    fn now_ms(self) -> i64 {
        self.at_ms.unwrap_or_else(crate::policy::now_ms)
    }

    /// Whether this verify records nothing (an answer as of another time).
    fn dry(self) -> bool {
        self.at_ms.is_some()
    }
}

/// A limited key's answer as of `now_ms` from the state as loaded, taking and recording
/// nothing (`--at`). On a snapshot with no usage log its uses cannot be counted: denied, as
/// they are now.
fn judge_limits_dry(
    source: &Source,
    k: &crate::engine::Entry,
    outcome: Outcome,
    cost: i64,
    now_ms: i64,
) -> Outcome {
    if !k.limited() {
        return outcome;
    }
    if let Source::Snapshot(f) = source
        && f.log.is_none()
    {
        return outcome.exhausted_uncounted();
    }
    outcome.limited(&crate::engine::limits::decide(
        k.limits(),
        &k.state(),
        cost,
        now_ms,
    ))
}

/// `--explain`: each check in order with what it said, on stderr.
fn explain(ctx: &Context, outcome: &Outcome, which: Option<usize>) {
    if ctx.quiet {
        return;
    }
    for line in pipeline::explain(outcome) {
        match which {
            Some(n) => eprintln!("line {n}: {line}"),
            None => eprintln!("{line}"),
        }
    }
}

fn print(ctx: &Context, outcome: &Outcome) -> Result<()> {
    if ctx.json() {
        crate::term::output::print_json_line(outcome)?;
    } else if !ctx.quiet {
        crate::term::output::print_line(&outcome.line())?;
    }
    Ok(())
}

/// Runs `verify`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    if args.token_on_argv.is_some() || args.token_flag.is_some() {
        return Err(Error::usage(
            "verify does not take a token on the command line",
            "pipe it on stdin, e.g. printf '%s' \"$TOKEN\" | apikeys verify (argv is visible to every user)",
        ));
    }
    // verify's exit code is a verdict: a reader that goes away never turns it into 0.
    crate::term::output::gate();
    let scopes = crate::model::split_scopes(&args.scopes)?;
    let req = Request {
        ip: args.ip.map(crate::model::canonical_ip),
        scopes: &scopes,
        unreadable_scope: false,
    };
    let max_age = args.snapshot.max_age()?;
    let opts = args.snapshot.options();
    // Connected on the first limited key: an unlimited key never waits for Redis.
    let mut shared = args.counters.target()?.map(RedisCounters::new);
    let open = || Source::open(|| ctx.open(), &opts);
    // A cost that cannot be read is a mistake on the command line (exit 2), never a cost of
    // 1 (serve answers a gateway's bad cost as a malformed request, 400).
    let cost = crate::policy::parse_cost(&args.cost);
    if cost.is_none() {
        return Err(Error::usage(
            format!("invalid --cost {:?}", crate::text::sanitize(&args.cost)),
            "give a whole number from 1 to 1000 (the uses and rate a request takes)",
        ));
    }
    let clock = Clock::parse(args.at.as_deref())?;
    let how = How {
        max_age,
        cost,
        clock,
        explain: args.explain,
    };
    if args.batch {
        if ctx.format_given && !ctx.json() {
            return Err(Error::usage(
                "verify --batch answers in json lines only",
                "drop --format (or pass --format json); each line is one token's verify --format json",
            ));
        }
        return run_batch(ctx, &req, how, open, shared.as_mut(), &opts);
    }
    let line = read_one(ctx)?;
    let ip = req.ip.map(|i| i.to_string());
    let given = Given {
        token: line.as_ref().map(|l| l.as_str()).map_err(|p| *p),
        cost,
        client_ok: true,
    };
    let mut used = Used::new();
    let mut opened = None;
    let mut subject = None;
    // Read again once the keys are loaded: the answer and its record carry that time.
    let mut now_ms = clock.now_ms();
    let outcome = match pipeline::admit(given) {
        Err(refused) => *refused,
        Ok((t, cost)) => {
            let source = opened.insert(open()?);
            // Only the one key is loaded from a store: a single check never pays for all.
            let (snap, meta) = source.load(Some(t.id))?;
            warn_if_stale(ctx, &meta, max_age);
            now_ms = clock.now_ms();
            let now = now_ms.div_euclid(1000);
            let stale = pipeline::stale(meta.map(|m| m.issued_at), max_age, now);
            let mut outcome = pipeline::judge(&snap, stale, &t, &req, now);
            if outcome.valid
                && let Some(k) = snap.get(t.id)
            {
                if clock.dry() {
                    outcome = judge_limits_dry(source, k, outcome, cost, now_ms);
                } else {
                    outcome = grant(
                        source,
                        &snap,
                        k,
                        outcome,
                        Take {
                            cost,
                            now_ms,
                            ip: ip.as_deref(),
                        },
                        &mut used,
                        shared.as_mut(),
                    )?;
                }
            }
            subject = crate::history::subject(&outcome, Some(t.id), &snap).map(str::to_string);
            outcome
        }
    };
    // An answer as of another time (--at) records nothing.
    if !clock.dry() {
        let now = now_ms.div_euclid(1000);
        let mut batch = crate::history::Batch::new();
        batch.note(
            now,
            subject.as_deref(),
            outcome.code,
            cost.unwrap_or(0),
            req.ip,
        );
        finish(
            opened.as_mut(),
            ctx,
            &opts,
            &used,
            batch,
            now,
            ip.as_deref(),
        );
    }
    if args.explain {
        explain(ctx, &outcome, None);
    }
    crate::term::output::gate_verdict(outcome.code.exit_code());
    print(ctx, &outcome)?;
    report_io();
    match outcome.code.exit_code() {
        0 => Ok(()),
        code => Err(Error::Exit(code)),
    }
}

/// With `APIKEYS_REPORT_IO` set, says on stderr how many bytes this process read (from
/// /proc/self/io): how the tests see that a verify on an indexed snapshot reads a few blocks,
/// not the whole file.
fn report_io() {
    if std::env::var_os("APIKEYS_REPORT_IO").is_none() {
        return;
    }
    if let Some(n) = std::fs::read_to_string("/proc/self/io").ok().and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("rchar: ").map(|v| v.trim().to_string()))
    }) {
        eprintln!("io: read {n} bytes");
    }
}

#[cfg(test)]
mod tests {
    use super::batch::read_line;
    use super::*;

    fn lines(input: &[u8]) -> Vec<Option<Vec<u8>>> {
        let mut r = std::io::BufReader::with_capacity(7, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(fits) = read_line(&mut r, &mut buf).unwrap() {
            out.push(fits.then(|| buf.clone()));
        }
        out
    }

    #[test]
    fn lines_are_split_and_long_ones_flagged() {
        assert_eq!(
            lines(b"ab\ncd\n\nef"),
            vec![
                Some(b"ab".to_vec()),
                Some(b"cd".to_vec()),
                Some(vec![]),
                Some(b"ef".to_vec())
            ]
        );
        let mut long = vec![b'x'; MAX_LINE + 1];
        long.extend_from_slice(b"\nok\n");
        assert_eq!(lines(&long), vec![None, Some(b"ok".to_vec())]);
        assert!(lines(b"").is_empty());
    }
}
