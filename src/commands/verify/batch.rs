//! verify --batch: one token a line, one json answer a line, with the store or snapshot re-read when it changes.

use super::*;

/// Reads one line of at most [`MAX_LINE`] bytes into `buf` (without its newline); returns
/// `None` at the end of input, `Some(false)` when the line was longer (the rest is skipped).
pub(super) fn read_line(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<bool>> {
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
pub(super) struct Live {
    source: Source,
    snap: KeySet,
    meta: Option<Meta>,
    checked: Instant,
}

impl Live {
    fn open(ctx: &Context, mut source: Source, max_age: Option<i64>) -> Result<Live> {
        let (snap, meta) = source.load(None)?;
        warn_if_stale(ctx, &meta, max_age);
        Ok(Live {
            source,
            snap,
            meta,
            checked: Instant::now(),
        })
    }

    fn refresh(&mut self, ctx: &Context) {
        if self.checked.elapsed() < RELOAD_EVERY {
            return;
        }
        self.checked = Instant::now();
        let reloaded = self.source.changed().and_then(|changed| {
            if changed {
                // A snapshot older than the one in use is refused here (a rollback), and
                // the batch goes on with the one it has.
                (self.snap, self.meta) = self.source.load(None)?;
            }
            Ok(())
        });
        if let Err(e) = reloaded
            && !ctx.quiet
        {
            eprintln!(
                "warning: the keys changed on disk but cannot be loaded ({}); going on with the last good ones",
                e.shown()
            );
        }
    }
}

/// How a verify answers every token: its snapshot's `--max-age`, the request's cost, its
/// clock, and whether it explains.
#[derive(Debug, Clone, Copy)]
pub(super) struct How {
    pub(super) max_age: Option<i64>,
    pub(super) cost: Option<i64>,
    pub(super) clock: Clock,
    pub(super) explain: bool,
}

/// Warns when a snapshot is already past `--max-age` as it is loaded.
pub(super) fn warn_if_stale(ctx: &Context, meta: &Option<Meta>, max_age: Option<i64>) {
    if !ctx.quiet && pipeline::stale(meta.map(|m| m.issued_at), max_age, crate::policy::now()) {
        eprintln!(
            "warning: the snapshot is older than --max-age: every answer is stale_snapshot (17) until a new one is shipped"
        );
    }
}

pub(super) fn run_batch(
    ctx: &Context,
    req: &Request<'_>,
    how: How,
    open: impl Fn() -> Result<Source>,
    mut shared: Option<&mut RedisCounters>,
    opts: &crate::source::SnapshotOptions,
) -> Result<()> {
    let max_age = how.max_age;
    let mut count = 0usize;
    let mut live: Option<Live> = None;
    let mut used = Used::new();
    let mut history = crate::history::Batch::new();
    let mut first_failure = 0;
    // Whether the reader of the answers went away before the batch ended.
    let mut closed = false;
    let mut input = std::io::BufReader::with_capacity(64 * 1024, std::io::stdin().lock());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut line = Zeroizing::new(Vec::new());
    let mut now = crate::policy::now();
    // The client of every token of the batch, as recorded with its uses.
    let ip = req.ip.map(|i| i.to_string());
    loop {
        // Answers go out in one write per burst of input, and before every wait for more, so
        // that a caller feeding one token at a time gets each answer at once.
        if input.buffer().is_empty() && crate::term::output::quiet_pipe(out.flush())? {
            closed = true;
            break;
        }
        let Some(fits) = read_line(&mut input, &mut line)
            .map_err(|e| Error::Io(format!("cannot read stdin: {e}")))?
        else {
            break;
        };
        count += 1;
        let text = std::str::from_utf8(&line).ok().filter(|_| fits);
        // A blank line is no token: it gets no answer (the answers carry their line number).
        if text.is_some_and(|t| t.trim().is_empty()) {
            continue;
        }
        let given = Given {
            token: text
                .map(str::trim)
                .ok_or(Paste::Token(crate::token::Malformed::Shape)),
            cost: how.cost,
            client_ok: true,
        };
        let mut subject = None;
        let outcome = match pipeline::admit(given) {
            Err(refused) => *refused,
            Ok((t, cost)) => {
                let live = match &mut live {
                    Some(l) => {
                        l.refresh(ctx);
                        l
                    }
                    None => live.insert(Live::open(ctx, open()?, max_age)?),
                };
                // The clock is read per token: a key that expires during a batch stops there.
                let now_ms = how.clock.now_ms();
                now = now_ms.div_euclid(1000);
                let stale = pipeline::stale(live.meta.map(|m| m.issued_at), max_age, now);
                let outcome = pipeline::judge(&live.snap, stale, &t, req, now);
                let outcome = match live.snap.get(t.id) {
                    Some(k) if outcome.valid && how.clock.dry() => {
                        judge_limits_dry(&live.source, k, outcome, cost, now_ms)
                    }
                    Some(k) if outcome.valid => grant(
                        &mut live.source,
                        &live.snap,
                        k,
                        outcome,
                        Take {
                            cost,
                            now_ms,
                            ip: ip.as_deref(),
                        },
                        &mut used,
                        shared.as_deref_mut(),
                    )?,
                    _ => outcome,
                };
                subject =
                    crate::history::subject(&outcome, Some(t.id), &live.snap).map(str::to_string);
                outcome
            }
        };
        if !how.clock.dry() {
            history.note(
                how.clock.now_ms().div_euclid(1000),
                subject.as_deref(),
                outcome.code,
                how.cost.unwrap_or(0),
                req.ip,
            );
        }
        if how.explain {
            explain(ctx, &outcome, Some(count));
        }
        if first_failure == 0 {
            first_failure = outcome.code.exit_code();
            crate::term::output::gate_verdict(first_failure);
        }
        if !ctx.quiet {
            // `{"line":N,` then the answer's own fields: which input line it answers.
            let body = serde_json::to_vec(&outcome)?;
            let written = write!(out, "{{\"line\":{count},")
                .and_then(|()| out.write_all(&body[1..]))
                .and_then(|()| out.write_all(b"\n"));
            if crate::term::output::quiet_pipe(written)? {
                closed = true;
                break;
            }
        }
    }
    closed |= crate::term::output::quiet_pipe(out.flush())?;
    let (mut source, snap) = match live {
        Some(l) => (Some(l.source), Some(l.snap)),
        None => (None, None),
    };
    finish(
        source.as_mut(),
        ctx,
        opts,
        &used,
        history,
        now,
        ip.as_deref(),
    );
    if let Some(snap) = snap {
        snap.release_at_exit();
    }
    match first_failure {
        // Every answer so far was valid, but not all of them reached the reader: not a pass.
        0 if closed => Err(Error::Exit(crate::term::output::SIGPIPE_EXIT)),
        0 => Ok(()),
        code => Err(Error::Exit(code)),
    }
}
