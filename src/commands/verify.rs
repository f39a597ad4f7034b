//! `apikeys verify`: check a token read from stdin; the exit code is the answer (SPEC §4).
//! A thin front end on [`crate::verifier`].

use super::Context;
use crate::error::{Error, Result};
use crate::store::{Store, queries};
use crate::verifier::{self, Code, Outcome, Paste, Request, Snapshot};
use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// A valid verify skips recording last use when the stored time is younger than this.
pub const LAST_USED_THROTTLE_SECS: i64 = 60;
/// The longest line `--batch` reads as a token; a longer one is `malformed`.
pub const MAX_LINE: usize = 64 * 1024;
/// The longest a verify of a key with a usage limit waits for another writer's lock.
const LIMITED_WAIT: Duration = Duration::from_secs(10);
/// How often `--batch` looks whether the store changed on disk.
const RELOAD_EVERY: Duration = Duration::from_secs(1);

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The token is read from stdin, never from the command line. A key limited to some\naddresses is denied (14) unless --ip names one of them.\n\nExamples:\n  printf '%s' \"$API_TOKEN\" | apikeys verify --scope deploy:write --ip \"$CLIENT_IP\"\n  apikeys verify --batch --key-file ci.key < tokens.txt"
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
    /// Refused, for the same reason (and so that clap does not suggest `--store` for it)
    #[arg(long = "token", hide = true, value_name = "TOKEN")]
    pub token_flag: Option<String>,
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
        .take(MAX_LINE as u64)
        .read_to_end(&mut buf)
        .map_err(|e| Error::Io(format!("cannot read stdin: {e}")))?;
    let text = String::from_utf8_lossy(&buf);
    Ok(Zeroizing::new(
        text.lines().next().unwrap_or("").trim().to_string(),
    ))
}

/// Records uses in one write, skipping keys whose last use is recent. It never waits for
/// another writer: when the lock is taken, a later verify records the use. A failure warns.
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
    let res = store.try_write(|tx, _| {
        due.iter()
            .try_for_each(|(id, n)| queries::record_use(tx, id, now, *n))
    });
    if let Err(e) = res
        && !ctx.quiet
    {
        eprintln!("warning: the key is valid, but its last use could not be recorded: {e}");
    }
}

fn print(ctx: &Context, outcome: &Outcome) -> Result<()> {
    if ctx.json() {
        crate::output::print_json_line(outcome)?;
    } else if !ctx.quiet {
        crate::output::print_line(&outcome.line())?;
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
    let scopes = crate::model::split_scopes(&args.scopes)?;
    let req = Request {
        ip: args.ip,
        scopes: &scopes,
    };
    if args.batch {
        return run_batch(ctx, &req);
    }
    let line = read_one(ctx)?;
    let outcome = match verifier::parse(&line) {
        Err(why) => Outcome::malformed(why),
        Ok(t) => {
            let mut store = ctx.open()?;
            // Only the one key is loaded: a single check never pays for the whole store.
            let snap = Snapshot::load(store.conn(), store.pepper(), Some(t.id))?;
            let now = crate::policy::now();
            let outcome = snap.check_parsed(&t, &req, now);
            match snap.get(t.id) {
                Some(k) if outcome.valid && k.remaining.is_some() => {
                    take_limited_use(&mut store, outcome, now)?
                }
                Some(k) if outcome.valid => {
                    let used = HashMap::from([(k.id.clone(), (1, k.last_used_at))]);
                    record_uses(ctx, &mut store, &used, now);
                    outcome
                }
                _ => outcome,
            }
        }
    };
    print(ctx, &outcome)?;
    match outcome.code.exit_code() {
        0 => Ok(()),
        code => Err(Error::Exit(code)),
    }
}

/// A valid answer for a key with a usage limit stands only once its use is written: under
/// the lock, from what the file holds now, so that parallel verifies never grant one use twice.
fn take_limited_use(store: &mut Store, outcome: Outcome, now: i64) -> Result<Outcome> {
    let id = outcome.key_id.clone().unwrap_or_default();
    let left = store.write_within(LIMITED_WAIT, |tx, _| queries::take_use(tx, &id, now))?;
    Ok(match left {
        Some(n) => Outcome {
            remaining: Some(n),
            ..outcome
        },
        None => outcome.exhausted(),
    })
}

/// Reads one line of at most [`MAX_LINE`] bytes into `buf` (without its newline); returns
/// `None` at the end of input, `Some(false)` when the line was longer (the rest is skipped).
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut fits = true;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok((!buf.is_empty() || !fits).then_some(fits));
        }
        let (piece, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], i + 1),
            None => (chunk, chunk.len()),
        };
        let ends = done > piece.len();
        if fits && buf.len() + piece.len() <= MAX_LINE {
            buf.extend_from_slice(piece);
        } else {
            fits = false;
            buf.clear();
        }
        input.consume(done);
        if ends {
            return Ok(Some(fits));
        }
    }
}

/// The store and its snapshot, opened on the first well-formed token and re-read when the
/// file changes on disk (looked at most once a second).
struct Live {
    store: Store,
    snap: Snapshot,
    checked: Instant,
}

impl Live {
    fn open(ctx: &Context) -> Result<Live> {
        let store = ctx.open()?;
        let snap = Snapshot::load(store.conn(), store.pepper(), None)?;
        Ok(Live {
            store,
            snap,
            checked: Instant::now(),
        })
    }

    fn refresh(&mut self, ctx: &Context) {
        if self.checked.elapsed() < RELOAD_EVERY {
            return;
        }
        self.checked = Instant::now();
        let reloaded = self.store.reload().and_then(|changed| {
            if changed {
                self.snap = Snapshot::load(self.store.conn(), self.store.pepper(), None)?;
            }
            Ok(())
        });
        if let Err(e) = reloaded
            && !ctx.quiet
        {
            eprintln!(
                "warning: the store changed on disk but cannot be re-read ({e}); going on with the last good one"
            );
        }
    }
}

fn run_batch(ctx: &Context, req: &Request<'_>) -> Result<()> {
    let mut live: Option<Live> = None;
    let mut used: HashMap<String, (i64, Option<i64>)> = HashMap::new();
    let mut first_failure = 0;
    let mut input = std::io::BufReader::with_capacity(64 * 1024, std::io::stdin().lock());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut line = Zeroizing::new(Vec::new());
    let mut now = crate::policy::now();
    loop {
        // Answers go out in one write per burst of input, and before every wait for more, so
        // that a caller feeding one token at a time gets each answer at once.
        if input.buffer().is_empty() && crate::output::quiet_pipe(out.flush())? {
            break;
        }
        let Some(fits) = read_line(&mut input, &mut line)
            .map_err(|e| Error::Io(format!("cannot read stdin: {e}")))?
        else {
            break;
        };
        let text = std::str::from_utf8(&line).ok().filter(|_| fits);
        let outcome = match text.map(|t| verifier::parse(t.trim())) {
            None => Outcome::malformed(Paste::Token(crate::token::Malformed::Shape)),
            Some(Err(why)) => Outcome::malformed(why),
            Some(Ok(t)) => {
                let live = match &mut live {
                    Some(l) => {
                        l.refresh(ctx);
                        l
                    }
                    None => live.insert(Live::open(ctx)?),
                };
                // The clock is read per token: a key that expires during a batch stops there.
                now = crate::policy::now();
                let outcome = live.snap.check_parsed(&t, req, now);
                match live.snap.get(t.id) {
                    Some(k) if outcome.code == Code::Valid && k.remaining.is_some() => {
                        take_limited_use(&mut live.store, outcome, now)?
                    }
                    Some(k) if outcome.code == Code::Valid => {
                        used.entry(k.id.clone()).or_insert((0, k.last_used_at)).0 += 1;
                        outcome
                    }
                    _ => outcome,
                }
            }
        };
        if first_failure == 0 {
            first_failure = outcome.code.exit_code();
        }
        if !ctx.quiet {
            serde_json::to_writer(&mut out, &outcome)?;
            if crate::output::quiet_pipe(out.write_all(b"\n"))? {
                break;
            }
        }
    }
    crate::output::quiet_pipe(out.flush())?;
    if let Some(l) = live.as_mut() {
        record_uses(ctx, &mut l.store, &used, now);
    }
    match first_failure {
        0 => Ok(()),
        code => Err(Error::Exit(code)),
    }
}

#[cfg(test)]
mod tests {
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
