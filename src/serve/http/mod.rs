//! The forward-auth protocol: what one request asks and how it is answered. Plain synchronous
//! code over the request's head, so the answers are testable without a socket.

use super::state::{Loaded, Shared};
use crate::counters::redis::Unavailable;
use crate::engine::limits::Decision;
use crate::engine::{Code, Outcome, Paste, Request};
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use std::net::IpAddr;

mod prebuilt;
mod request;
mod wire;
pub use prebuilt::Answers;
pub use request::{BadClientIp, ClientIpHeader, Headers, Raw, client_ip};
use request::{required_scopes, token};
pub use wire::{Reply, Wire, header_lines};

/// The answer to one request.
pub type Answer = Response<Full<Bytes>>;

/// Where a connection comes from.
#[derive(Debug, Clone, Copy)]
pub enum Peer {
    /// A TCP client at this address.
    Tcp(IpAddr),
    /// A unix socket: only the gateway can reach it, so its forwarding headers are trusted.
    Unix,
}

/// How requests are read.
#[derive(Debug, Default)]
pub struct Config {
    /// Proxies whose client-IP header is believed.
    pub trusted: Vec<ipnet::IpNet>,
    /// The one header that names the client behind a trusted proxy (lowercase).
    pub client_ip_header: ClientIpHeader,
    /// With `--max-age`: answer 503 once the snapshot being served was issued longer ago than
    /// this many seconds.
    pub max_age: Option<i64>,
    /// Whether answers are logged (`--access-log`): a valid answer names its key for the log
    /// only then.
    pub access_log: bool,
}

impl Config {
    /// Whether a connection from `ip` is a trusted proxy's (the same rule as the client's
    /// address: IPv4-mapped addresses are their IPv4 address).
    pub fn trusts(&self, ip: IpAddr) -> bool {
        request::in_any(&self.trusted, crate::model::canonical_ip(ip))
    }
}

/// What the access log needs of an answered request.
#[derive(Debug)]
pub struct Logged {
    pub client: Option<IpAddr>,
    pub code: &'static str,
    pub key_id: Option<String>,
}

/// A header value for text that may hold anything: printable ASCII passes, every other byte
/// is percent-encoded, so a name can never break or inject a header.
pub fn header_text(s: &str) -> HeaderValue {
    // The common case (an id, a plain name) goes in as it is: one copy, not two.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'%')
        && let Ok(v) = HeaderValue::from_str(s)
    {
        return v;
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&out).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn json_answer(status: StatusCode, body: String) -> Answer {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    r
}

/// The HTTP status of a verification answer (SPEC §7).
pub fn status_of(code: Code) -> StatusCode {
    match code {
        Code::Valid => StatusCode::OK,
        Code::Malformed | Code::Unknown | Code::Inactive | Code::Expired => {
            StatusCode::UNAUTHORIZED
        }
        Code::IpDenied | Code::ScopeDenied => StatusCode::FORBIDDEN,
        Code::UsageExceeded | Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Code::StaleSnapshot | Code::CountersUnavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Where answering one request stands.
#[derive(Debug)]
pub enum Step {
    /// Answered.
    Done(Reply, Logged),
    /// A limited key passed every other check: the shared counters decide (awaited by the
    /// caller, then [`counted`]).
    Count(Pending),
}

/// A request waiting for the shared counters.
#[derive(Debug)]
pub struct Pending {
    pub loaded: std::sync::Arc<Loaded>,
    /// The key's place in the snapshot.
    pub at: usize,
    pub cost: i64,
    client: Option<IpAddr>,
    access_log: bool,
    /// Whether a prebuilt answer may be given as bytes ([`Reply::Wire`]).
    wire: bool,
}

impl Pending {
    /// The key the counters decide.
    pub fn key(&self) -> Option<&crate::engine::Entry> {
        self.loaded.snap.at(self.at)
    }
}

/// Finishes a request with the shared counters' decision (or their silence: fail closed) at
/// `now` (unix seconds, read once the decision came: the same reading as the answer's `date`).
pub fn counted(shared: &Shared, p: Pending, d: Result<Decision, Unavailable>, now: i64) -> Step {
    let Some(key) = p.key() else {
        return verified(shared, Outcome::unknown(), p.client, None, p.cost, now);
    };
    let verdict = d.inspect(|d| {
        if d.verdict == crate::engine::limits::Verdict::Allowed {
            shared.note_use(key.id(), p.cost, now, p.client);
        }
    });
    let valid = Valid {
        loaded: &p.loaded,
        at: p.at,
        key,
        client: p.client,
        cost: p.cost,
        access_log: p.access_log,
        wire: p.wire,
        now,
    };
    match verdict {
        Ok(d) => valid.limited(shared, &d),
        Err(_) => valid.answered(shared, valid.outcome().counters_unavailable()),
    }
}

/// A request that passed every check of its key, to be answered (from the key's prebuilt
/// answer when it is granted).
struct Valid<'a> {
    loaded: &'a Loaded,
    at: usize,
    key: &'a crate::engine::Entry,
    client: Option<IpAddr>,
    cost: i64,
    access_log: bool,
    wire: bool,
    /// The request's time (unix seconds), for the history.
    now: i64,
}

impl Valid<'_> {
    /// The long way: the answer as an [`Outcome`].
    fn outcome(&self) -> Outcome {
        self.loaded.snap.outcome(crate::engine::Judged {
            key: Some((self.at, self.key)),
            code: Code::Valid,
            reason: crate::engine::Reason::None,
        })
    }

    /// Granted: counted, noted and answered.
    fn granted(&self, shared: &Shared, d: Option<&Decision>) -> Step {
        let Some(pre) = self
            .loaded
            .answers
            .get(&self.loaded.snap, self.at, self.key)
        else {
            let mut outcome = self.outcome();
            if let Some(d) = d {
                outcome = outcome.limited(d);
            }
            return self.answered(shared, outcome);
        };
        let wired = if self.wire { pre.wire(d) } else { None };
        let answer = match (wired, d) {
            (Some(w), _) => w,
            (None, None) => Reply::from(pre.answer()),
            (None, Some(d)) => Reply::from(pre.allowed(d)),
        };
        // The key's id is copied for the access log only when there is one.
        let key_id = self.access_log.then(|| self.key.id().to_string());
        let id = Some(self.key.id());
        done(
            shared,
            Code::Valid,
            id,
            self.cost,
            self.client,
            key_id,
            answer,
            self.now,
        )
    }

    /// A limit's decision: granted, or the denial it says.
    fn limited(&self, shared: &Shared, d: &Decision) -> Step {
        if d.verdict == crate::engine::limits::Verdict::Allowed {
            return self.granted(shared, Some(d));
        }
        self.answered(shared, self.outcome().limited(d))
    }

    /// Answered the long way, with `outcome`, under this key.
    fn answered(&self, shared: &Shared, outcome: Outcome) -> Step {
        verified(
            shared,
            outcome,
            self.client,
            Some(self.key.id()),
            self.cost,
            self.now,
        )
    }
}

/// The answer to a verification, counted, noted in the history (under `named`, the key the
/// token named, if any) and logged.
fn verified(
    shared: &Shared,
    outcome: Outcome,
    client: Option<IpAddr>,
    named: Option<&str>,
    cost: i64,
    now: i64,
) -> Step {
    let key_id = outcome.key_id.clone();
    let answer = verification_answer(&outcome);
    done(
        shared,
        outcome.code,
        named,
        cost,
        client,
        key_id,
        Reply::from(answer),
        now,
    )
}

/// An answer given: counted for `/metrics`, noted in the history under `named`, and what the
/// access log says of it (`key_id`). Every answer to a verification ends here, at `now`
/// (unix seconds, read once per request).
#[allow(clippy::too_many_arguments)]
fn done(
    shared: &Shared,
    code: Code,
    named: Option<&str>,
    cost: i64,
    client: Option<IpAddr>,
    key_id: Option<String>,
    answer: Reply,
    now: i64,
) -> Step {
    shared.metrics.count(code);
    shared.note_answer(now, named, code, cost, client);
    let logged = Logged {
        client,
        code: code.as_str(),
        key_id,
    };
    Step::Done(answer, logged)
}

/// The headers of the tightest rate limit's headroom (SPEC §7).
const RATE_HEADERS: [HeaderName; 3] = [
    HeaderName::from_static("ratelimit-limit"),
    HeaderName::from_static("ratelimit-remaining"),
    HeaderName::from_static("ratelimit-reset"),
];

fn verification_answer(outcome: &Outcome) -> Answer {
    let body = serde_json::to_string(outcome).unwrap_or_else(|_| "{}".into());
    let status = if matches!(
        outcome.reason,
        crate::engine::Reason::BadCost | crate::engine::Reason::BadClientIp
    ) {
        StatusCode::BAD_REQUEST
    } else {
        status_of(outcome.code)
    };
    let mut r = json_answer(status, body);
    let h = r.headers_mut();
    h.insert(
        HeaderName::from_static("x-apikey-code"),
        HeaderValue::from_static(outcome.code.as_str()),
    );
    // When waiting helps (a rate limit, the next refill), and the tightest rate limit.
    if let Some(secs) = outcome.retry_after.filter(|_| !outcome.valid) {
        h.insert(hyper::header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    }
    if let Some(hr) = outcome.headroom {
        let [limit, remaining, reset] = RATE_HEADERS;
        h.insert(limit, HeaderValue::from(hr.limit));
        h.insert(remaining, HeaderValue::from(hr.remaining));
        h.insert(reset, HeaderValue::from(hr.reset_secs));
    }
    if r.status() == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            hyper::header::WWW_AUTHENTICATE,
            HeaderValue::from_static("ApiKey"),
        );
    }
    if outcome.valid {
        let h = r.headers_mut();
        if let Some(id) = &outcome.key_id {
            h.insert(HeaderName::from_static("x-apikey-id"), header_text(id));
        }
        if let Some(name) = &outcome.name {
            h.insert(HeaderName::from_static("x-apikey-name"), header_text(name));
        }
        if let Some(owner) = &outcome.owner {
            h.insert(
                HeaderName::from_static("x-apikey-owner"),
                header_text(owner),
            );
        }
        h.insert(
            HeaderName::from_static("x-apikey-scopes"),
            header_text(&outcome.scopes.join(",")),
        );
        let expires = outcome
            .expires_at
            .map_or_else(|| "never".into(), crate::text::rfc3339);
        h.insert(
            HeaderName::from_static("x-apikey-expires"),
            header_text(&expires),
        );
    }
    r
}

/// What a request asks: who sent it, its target and its headers.
pub struct Asked<'a, H> {
    pub peer: Peer,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a H,
}

/// Answers one request from its head at `now_ms` (unix milliseconds: the clock read once for
/// the whole request, as rates are exact to the millisecond). Never touches SQLite, never
/// waits on a reload; a limited key with shared counters comes back as [`Step::Count`].
/// `wire`: a prebuilt answer may be given as bytes.
pub fn answer<H: Headers>(
    shared: &Shared,
    cfg: &Config,
    asked: Asked<'_, H>,
    wire: bool,
    now_ms: i64,
) -> Step {
    let Asked {
        peer,
        path,
        query,
        headers,
    } = asked;
    let now = now_ms.div_euclid(1000);
    let loaded = shared.current();
    let mut logged = Logged {
        client: None,
        code: "-",
        key_id: None,
    };
    if path == "/healthz" {
        let (status, body) = match &loaded {
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({"status": "empty", "keys": 0, "counters": shared.counters_word()}),
            ),
            Some(l) => {
                let too_old = cfg.max_age.is_some_and(|m| now - l.issued_at > m);
                let stale = shared.stale.load(std::sync::atomic::Ordering::Relaxed);
                (
                    if too_old {
                        StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        StatusCode::OK
                    },
                    serde_json::json!({
                        "status": if too_old { "too_old" } else if stale { "stale" } else { "ok" },
                        "keys": l.snap.len(),
                        "loaded_at": crate::text::rfc3339(l.loaded_at),
                        "issued_at": crate::text::rfc3339(l.issued_at),
                        "generation": l.generation,
                        "counters": shared.counters_word(),
                    }),
                )
            }
        };
        logged.code = "healthz";
        return Step::Done(Reply::from(json_answer(status, body.to_string())), logged);
    }
    if path == "/metrics" {
        let keys = loaded.as_ref().map_or(0, |l| l.snap.len());
        let stale = shared.stale.load(std::sync::atomic::Ordering::Relaxed);
        let mut text = shared.metrics.render(keys, stale);
        if let Some(c) = &shared.counters {
            c.metrics.render(c.is_up(), &mut text);
        }
        let mut r = Response::new(Full::new(Bytes::from(text)));
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        );
        logged.code = "metrics";
        return Step::Done(Reply::from(r), logged);
    }
    if path != "/verify" && !path.starts_with("/verify/") {
        shared
            .metrics
            .not_found
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        logged.code = "not_found";
        let body =
            serde_json::json!({"error": "not found", "hint": "ask /verify, /healthz or /metrics"});
        return Step::Done(
            Reply::from(json_answer(StatusCode::NOT_FOUND, body.to_string())),
            logged,
        );
    }
    let client = client_ip(peer, headers, &cfg.trusted, &cfg.client_ip_header);
    // The gateway sets the cost per route; one that cannot be read, or two of them (a
    // client's beside the gateway's), is malformed (400), never "the first one".
    let mut costs = headers.values(&request::X_APIKEY_COST);
    let cost = match (costs.next(), costs.next()) {
        (None, _) => Some(1),
        (Some(v), None) => request::text(v).and_then(crate::policy::parse_cost),
        (Some(_), Some(_)) => None,
    };
    // The one sequence of every front end (engine::pipeline): what needs no keys first.
    let given = crate::engine::pipeline::Given {
        token: token(headers),
        cost,
        client_ok: client.is_ok(),
    };
    let (t, cost) = match crate::engine::pipeline::admit(given) {
        Ok(admitted) => admitted,
        Err(refused) => {
            return verified(shared, *refused, client.ok().flatten(), None, 0, now);
        }
    };
    let client = client.ok().flatten();
    // Past --max-age (or nothing loaded): no answer can be trusted, so none is given. The 503
    // carries the code and body like every other answer.
    let Some(loaded) =
        loaded.filter(|l| !crate::engine::pipeline::stale(Some(l.issued_at), cfg.max_age, now))
    else {
        return verified(shared, Outcome::stale(), client, None, cost, now);
    };
    let (scopes, unreadable_scope) = required_scopes(headers, query);
    let req = Request {
        ip: client,
        scopes: &scopes,
        unreadable_scope,
    };
    let judged = loaded.snap.judge_parsed(&t, &req, now);
    if judged.code == Code::Valid
        && let Some((at, key)) = judged.key
    {
        if key.limited() && shared.counters.is_some() {
            return Step::Count(Pending {
                loaded: loaded.clone(),
                at,
                cost,
                client,
                access_log: cfg.access_log,
                wire,
            });
        }
        let valid = Valid {
            loaded: &loaded,
            at,
            key,
            client,
            cost,
            access_log: cfg.access_log,
            wire,
            now,
        };
        // Rates and uses are decided in memory, uses against what the snapshot says is left.
        return match shared.take(&loaded, key, cost, now_ms, client) {
            None => valid.granted(shared, None),
            Some(d) => valid.limited(shared, &d),
        };
    }
    let outcome = loaded.snap.outcome(judged);
    let named = crate::history::subject(&outcome, Some(t.id), &loaded.snap);
    verified(shared, outcome, client, named, cost, now)
}

#[cfg(test)]
mod tests;
