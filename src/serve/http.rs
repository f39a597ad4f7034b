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
}

/// What the access log needs of an answered request.
#[derive(Debug)]
pub struct Logged {
    pub client: Option<IpAddr>,
    pub code: &'static str,
    pub key_id: Option<String>,
}

/// The one header read for the client's address behind a trusted proxy (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ClientIpHeader {
    /// `X-Forwarded-For` (the default): its right-most address that is not a trusted proxy.
    #[default]
    Forwarded,
    /// Any other header (`X-Real-IP`, …), lowercase: a single address.
    Single(HeaderName),
}

impl ClientIpHeader {
    /// The header named by `--client-ip-header`.
    pub fn parse(name: &str) -> Option<ClientIpHeader> {
        let h = HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
        Some(if h == "x-forwarded-for" {
            ClientIpHeader::Forwarded
        } else {
            ClientIpHeader::Single(h)
        })
    }
}

fn in_any(nets: &[ipnet::IpNet], ip: IpAddr) -> bool {
    nets.iter().any(|n| n.contains(&ip))
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    s.trim().parse().ok().map(crate::model::canonical_ip)
}

/// A client-IP header from a trusted proxy that cannot be believed: repeated (where one value
/// is expected), empty, or not an address. The request is malformed (400), never answered as
/// if it came from the proxy itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadClientIp;

/// The client's address: the connection's, unless that is a trusted proxy (or a unix socket),
/// in which case exactly one header is read (`X-Forwarded-For` by default: its right-most
/// address not within a trusted proxy) and every other client-IP header is ignored. IPv4-mapped
/// addresses are the IPv4 address throughout. Without that header the connection's address
/// stands (none for a unix socket, which then fails any IP allow-list); with one that cannot
/// be read, [`BadClientIp`].
pub fn client_ip(
    peer: Peer,
    headers: &HeaderMap,
    trusted: &[ipnet::IpNet],
    which: &ClientIpHeader,
) -> Result<Option<IpAddr>, BadClientIp> {
    let direct = match peer {
        Peer::Tcp(ip) => {
            let ip = crate::model::canonical_ip(ip);
            if !in_any(trusted, ip) {
                return Ok(Some(ip));
            }
            Some(ip)
        }
        Peer::Unix => None,
    };
    let from_header = match which {
        ClientIpHeader::Single(name) => {
            let mut values = headers.get_all(name).iter();
            match (values.next(), values.next()) {
                (None, _) => None,
                (Some(v), None) => Some(v.to_str().ok().and_then(parse_ip).ok_or(BadClientIp)?),
                (Some(_), Some(_)) => return Err(BadClientIp),
            }
        }
        ClientIpHeader::Forwarded => {
            let forwarded: Vec<Option<IpAddr>> = headers
                .get_all("x-forwarded-for")
                .iter()
                .flat_map(|v| match v.to_str() {
                    Ok(s) => s.split(',').map(parse_ip).collect::<Vec<_>>(),
                    Err(_) => vec![None],
                })
                .collect();
            // Walk from the right: the first entry not added by a trusted proxy is the client.
            // An empty or unreadable entry before it makes the whole request malformed.
            let mut found = None;
            for ip in forwarded.iter().rev() {
                match ip {
                    Some(ip) if in_any(trusted, *ip) => found = Some(*ip),
                    Some(ip) => {
                        found = Some(*ip);
                        break;
                    }
                    None => return Err(BadClientIp),
                }
            }
            found
        }
    };
    Ok(from_header.or(direct))
}

/// The token of a request: `X-API-Key`, else `Authorization: Bearer`. Two keys, a value
/// that is not text, or another scheme are malformed; none at all is `Paste::Empty`.
fn token(headers: &HeaderMap) -> Result<&str, Paste> {
    let mut keys = headers.get_all("x-api-key").iter();
    if let Some(v) = keys.next() {
        if keys.next().is_some() {
            return Err(Paste::Token(crate::token::Malformed::Shape));
        }
        return v
            .to_str()
            .map(str::trim)
            .map_err(|_| Paste::Token(crate::token::Malformed::Shape));
    }
    let mut auth = headers.get_all(hyper::header::AUTHORIZATION).iter();
    match (auth.next(), auth.next()) {
        (None, _) => Err(Paste::Empty),
        (Some(v), None) => {
            let v = v
                .to_str()
                .map_err(|_| Paste::Token(crate::token::Malformed::Shape))?;
            match v.split_once(' ') {
                Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => Ok(t.trim()),
                _ => Err(Paste::Token(crate::token::Malformed::Shape)),
            }
        }
        _ => Err(Paste::Token(crate::token::Malformed::Shape)),
    }
}

/// Decodes `%XX` escapes and `+` of a query value; `None` when it is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                // A `%` must start a full escape: anything else is not a scope we can read.
                let hex = b.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The scopes a request needs: `X-Required-Scope` (comma-separated) and `?scope=S`
/// (repeatable), and whether any of them could not be decoded (then the check fails closed).
fn required_scopes(headers: &HeaderMap, query: Option<&str>) -> (Vec<String>, bool) {
    let mut unreadable = false;
    let mut raw: Vec<String> = Vec::new();
    for v in headers.get_all("x-required-scope") {
        match std::str::from_utf8(v.as_bytes()) {
            Ok(s) => raw.push(s.to_string()),
            Err(_) => unreadable = true,
        }
    }
    for kv in query.into_iter().flat_map(|q| q.split('&')) {
        if let Some(v) = kv.strip_prefix("scope=") {
            match percent_decode(v) {
                Some(s) => raw.push(s),
                None => unreadable = true,
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    for s in raw.iter().flat_map(|v| v.split(',')).map(str::trim) {
        if !s.is_empty() {
            crate::model::add_unique(&mut out, s);
        }
    }
    (out, unreadable)
}

/// A header value for text that may hold anything: printable ASCII passes, every other byte
/// is percent-encoded, so a name can never break or inject a header.
pub fn header_text(s: &str) -> HeaderValue {
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
    Done(Answer, Logged),
    /// A limited key passed every other check: the shared counters decide (awaited by the
    /// caller, then [`counted`]).
    Count(Pending),
}

/// A request waiting for the shared counters.
#[derive(Debug)]
pub struct Pending {
    loaded: std::sync::Arc<Loaded>,
    outcome: Outcome,
    pub cost: i64,
    client: Option<IpAddr>,
}

impl Pending {
    /// The key the counters decide.
    pub fn key(&self) -> Option<&crate::engine::Entry> {
        self.outcome
            .key_id
            .as_deref()
            .and_then(|id| self.loaded.snap.get(id))
    }
}

/// Finishes a request with the shared counters' decision (or their silence: fail closed).
pub fn counted(shared: &Shared, p: Pending, d: Result<Decision, Unavailable>) -> Step {
    let outcome = match d {
        Ok(d) => {
            if d.verdict == crate::engine::limits::Verdict::Allowed
                && let Some(key) = p.key()
            {
                shared.note_use(key.id(), p.cost, crate::policy::now(), p.client);
            }
            p.outcome.clone().limited(&d)
        }
        Err(_) => p.outcome.clone().counters_unavailable(),
    };
    verified(shared, outcome, p.client)
}

/// The answer to a verification, counted and logged.
fn verified(shared: &Shared, outcome: Outcome, client: Option<IpAddr>) -> Step {
    shared.metrics.count(outcome.code);
    let logged = Logged {
        client,
        code: outcome.code.as_str(),
        key_id: outcome.key_id.clone(),
    };
    Step::Done(verification_answer(&outcome), logged)
}

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
        h.insert(
            HeaderName::from_static("ratelimit-limit"),
            HeaderValue::from(hr.limit),
        );
        h.insert(
            HeaderName::from_static("ratelimit-remaining"),
            HeaderValue::from(hr.remaining),
        );
        h.insert(
            HeaderName::from_static("ratelimit-reset"),
            HeaderValue::from(hr.reset_secs),
        );
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

/// Answers one request from its head. Never touches SQLite, never waits on a reload; a
/// limited key with shared counters comes back as [`Step::Count`].
pub fn answer(
    shared: &Shared,
    cfg: &Config,
    peer: Peer,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Step {
    let now = crate::policy::now();
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
        return Step::Done(json_answer(status, body.to_string()), logged);
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
        return Step::Done(r, logged);
    }
    if path != "/verify" && !path.starts_with("/verify/") {
        shared
            .metrics
            .not_found
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        logged.code = "not_found";
        let body =
            serde_json::json!({"error": "not found", "hint": "ask /verify, /healthz or /metrics"});
        return Step::Done(json_answer(StatusCode::NOT_FOUND, body.to_string()), logged);
    }
    let client = client_ip(peer, headers, &cfg.trusted, &cfg.client_ip_header);
    // The gateway sets the cost per route; one that cannot be read, or two of them (a
    // client's beside the gateway's), is malformed (400), never "the first one".
    let mut costs = headers.get_all("x-apikey-cost").iter();
    let cost = match (costs.next(), costs.next()) {
        (None, _) => Some(1),
        (Some(v), None) => v.to_str().ok().and_then(crate::policy::parse_cost),
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
        Err(refused) => return verified(shared, *refused, client.ok().flatten()),
    };
    let client = client.ok().flatten();
    // Past --max-age (or nothing loaded): no answer can be trusted, so none is given. The 503
    // carries the code and body like every other answer.
    let Some(loaded) =
        loaded.filter(|l| !crate::engine::pipeline::stale(Some(l.issued_at), cfg.max_age, now))
    else {
        return verified(shared, Outcome::stale(), client);
    };
    let (scopes, unreadable_scope) = required_scopes(headers, query);
    let req = Request {
        ip: client,
        scopes: &scopes,
        unreadable_scope,
    };
    let mut outcome = crate::engine::pipeline::judge(&loaded.snap, false, &t, &req, now);
    if outcome.valid
        && let Some(key) = outcome.key_id.as_deref().and_then(|id| loaded.snap.get(id))
    {
        if key.limited() && shared.counters.is_some() {
            return Step::Count(Pending {
                loaded: loaded.clone(),
                outcome,
                cost,
                client,
            });
        }
        // Rates and uses are decided in memory, uses against what the snapshot says is left.
        let now_ms = crate::policy::now_ms();
        if let Some(d) = shared.take(key, cost, now_ms, client) {
            outcome = outcome.limited(&d);
        }
    }
    verified(shared, outcome, client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn the_client_ip_believes_one_header_and_only_from_trusted_proxies() {
        let xff = ClientIpHeader::Forwarded;
        let trusted = vec!["10.0.0.0/8".parse().unwrap()];
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9, 198.51.100.7"),
            ("x-forwarded-for", "10.0.0.5"),
            ("x-real-ip", "192.0.2.99"),
        ]);
        let direct: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            client_ip(Peer::Tcp(direct), &h, &trusted, &xff),
            Ok(Some(direct))
        );
        let proxy: IpAddr = "10.1.1.1".parse().unwrap();
        // The right-most address not a trusted proxy; X-Real-IP is ignored by default.
        assert_eq!(
            client_ip(Peer::Tcp(proxy), &h, &trusted, &xff),
            Ok(Some("198.51.100.7".parse().unwrap()))
        );
        let real = ClientIpHeader::parse("X-Real-IP").unwrap();
        assert_eq!(
            client_ip(Peer::Tcp(proxy), &h, &trusted, &real),
            Ok(Some("192.0.2.99".parse().unwrap()))
        );
        assert_eq!(
            client_ip(
                Peer::Unix,
                &headers(&[("x-forwarded-for", "203.0.113.50")]),
                &[],
                &xff
            ),
            Ok(Some("203.0.113.50".parse().unwrap()))
        );
        assert_eq!(
            client_ip(Peer::Unix, &HeaderMap::new(), &[], &xff),
            Ok(None)
        );
        // A forged X-Real-IP from a client that is not a proxy changes nothing.
        assert_eq!(
            client_ip(
                Peer::Tcp(direct),
                &headers(&[("x-real-ip", "10.0.0.1")]),
                &trusted,
                &real
            ),
            Ok(Some(direct))
        );
        // From a trusted proxy, a header that cannot be believed is malformed, never the
        // proxy's own address: repeated, empty, or not an address.
        for bad in [
            vec![("x-real-ip", "192.0.2.1"), ("x-real-ip", "192.0.2.2")],
            vec![("x-real-ip", "")],
            vec![("x-real-ip", "not-an-ip")],
        ] {
            assert_eq!(
                client_ip(Peer::Tcp(proxy), &headers(&bad), &trusted, &real),
                Err(BadClientIp),
                "{bad:?}"
            );
        }
        for bad in ["", "garbage", "203.0.113.9, , 10.0.0.5", "203.0.113.9,junk"] {
            assert_eq!(
                client_ip(
                    Peer::Tcp(proxy),
                    &headers(&[("x-forwarded-for", bad)]),
                    &trusted,
                    &xff
                ),
                Err(BadClientIp),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ipv4_mapped_addresses_are_the_ipv4_address() {
        let xff = ClientIpHeader::Forwarded;
        let trusted = vec!["127.0.0.1/32".parse().unwrap()];
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        let h = headers(&[("x-forwarded-for", "::ffff:203.0.113.4")]);
        // The connection is canonicalised where it is accepted; the header here.
        assert_eq!(
            client_ip(
                Peer::Tcp(crate::model::canonical_ip(mapped)),
                &h,
                &trusted,
                &xff
            ),
            Ok(Some("203.0.113.4".parse().unwrap()))
        );
    }

    #[test]
    fn tokens_come_from_x_api_key_or_bearer_and_duplicates_are_malformed() {
        assert_eq!(token(&headers(&[("x-api-key", " t ")])), Ok("t"));
        assert_eq!(token(&headers(&[("authorization", "Bearer t")])), Ok("t"));
        assert!(token(&headers(&[("authorization", "Basic dDp0")])).is_err());
        assert_eq!(token(&HeaderMap::new()), Err(Paste::Empty));
        assert!(token(&headers(&[("x-api-key", "a"), ("x-api-key", "b")])).is_err());
    }

    #[test]
    fn scopes_come_from_the_header_and_the_query() {
        let h = headers(&[("x-required-scope", "a, b")]);
        assert_eq!(
            required_scopes(&h, Some("scope=c%3Aread&x=1&scope=a")),
            (vec!["a".to_string(), "b".into(), "c:read".into()], false)
        );
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("a%"), None);
        assert_eq!(percent_decode("%+1"), None);
        // A scope that cannot be decoded is flagged, never dropped.
        assert!(required_scopes(&HeaderMap::new(), Some("scope=%ff")).1);
        assert!(required_scopes(&HeaderMap::new(), Some("scope=%f")).1);
        let mut raw = HeaderMap::new();
        raw.append(
            "x-required-scope",
            HeaderValue::from_bytes(b"\xff").unwrap(),
        );
        assert!(required_scopes(&raw, None).1);
    }

    #[test]
    fn header_text_escapes_what_could_break_a_header() {
        assert_eq!(header_text("ci-deploy"), "ci-deploy");
        assert_eq!(header_text("a\r\nb"), "a%0D%0Ab");
        assert_eq!(header_text("é"), "%C3%A9");
    }
}
