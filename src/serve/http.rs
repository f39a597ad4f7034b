//! The forward-auth protocol: what one request asks and how it is answered. Plain synchronous
//! code over the request's head, so the answers are testable without a socket.

use super::state::Shared;
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
    /// Proxies whose X-Real-IP / X-Forwarded-For are believed.
    pub trusted: Vec<ipnet::IpNet>,
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

fn in_any(nets: &[ipnet::IpNet], ip: IpAddr) -> bool {
    nets.iter().any(|n| n.contains(&ip))
}

fn header_ip(v: &HeaderValue) -> Option<IpAddr> {
    v.to_str().ok()?.trim().parse().ok()
}

/// The client's address: the connection's, unless that is a trusted proxy (or a unix socket),
/// in which case X-Real-IP, else the right-most X-Forwarded-For address not a trusted proxy.
pub fn client_ip(peer: Peer, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> Option<IpAddr> {
    let direct = match peer {
        Peer::Tcp(ip) if !in_any(trusted, ip) => return Some(ip),
        Peer::Tcp(ip) => Some(ip),
        Peer::Unix => None,
    };
    if let Some(ip) = headers.get("x-real-ip").and_then(header_ip) {
        return Some(ip);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !in_any(trusted, **ip))
        .or(forwarded.first())
        .copied()
        .or(direct)
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
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
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

/// The scopes a request needs: `X-Required-Scope` (comma-separated) and `?scope=S` (repeatable).
fn required_scopes(headers: &HeaderMap, query: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let from_header = headers
        .get_all("x-required-scope")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string());
    let from_query = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter_map(|kv| kv.strip_prefix("scope="))
        .filter_map(percent_decode)
        .flat_map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        });
    for s in from_header.chain(from_query) {
        if !s.is_empty() {
            crate::model::add_unique(&mut out, &s);
        }
    }
    out
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
        Code::UsageExceeded => StatusCode::TOO_MANY_REQUESTS,
    }
}

fn verification_answer(outcome: &Outcome) -> Answer {
    let body = serde_json::to_string(outcome).unwrap_or_else(|_| "{}".into());
    let mut r = json_answer(status_of(outcome.code), body);
    let h = r.headers_mut();
    h.insert(
        HeaderName::from_static("x-apikey-code"),
        HeaderValue::from_static(outcome.code.as_str()),
    );
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

/// Answers one request from its head. Never touches SQLite, never waits on a reload.
pub fn answer(
    shared: &Shared,
    cfg: &Config,
    peer: Peer,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> (Answer, Logged) {
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
                serde_json::json!({"status": "unavailable", "keys": 0}),
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
                    }),
                )
            }
        };
        logged.code = "healthz";
        return (json_answer(status, body.to_string()), logged);
    }
    if path == "/metrics" {
        let keys = loaded.as_ref().map_or(0, |l| l.snap.len());
        let stale = shared.stale.load(std::sync::atomic::Ordering::Relaxed);
        let mut r = Response::new(Full::new(Bytes::from(shared.metrics.render(keys, stale))));
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        );
        logged.code = "metrics";
        return (r, logged);
    }
    if path != "/verify" && !path.starts_with("/verify/") {
        shared
            .metrics
            .not_found
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        logged.code = "not_found";
        let body =
            serde_json::json!({"error": "not found", "hint": "ask /verify, /healthz or /metrics"});
        return (json_answer(StatusCode::NOT_FOUND, body.to_string()), logged);
    }
    let Some(loaded) = loaded.filter(|l| cfg.max_age.is_none_or(|m| now - l.issued_at <= m)) else {
        logged.code = "unavailable";
        let body = serde_json::json!({"error": "no current key snapshot is loaded", "hint": "the snapshot is older than --max-age: export and ship a new one"});
        return (
            json_answer(StatusCode::SERVICE_UNAVAILABLE, body.to_string()),
            logged,
        );
    };
    let client = client_ip(peer, headers, &cfg.trusted);
    let scopes = required_scopes(headers, query);
    let req = Request {
        ip: client,
        scopes: &scopes,
    };
    let mut outcome = match token(headers) {
        Ok(t) => loaded.snap.check(t, &req, now),
        Err(why) => Outcome::malformed(why),
    };
    if outcome.valid
        && let Some(id) = outcome.key_id.clone()
    {
        // A limited key's use is taken in memory, against what the snapshot says is left.
        match shared.take_use(&id, outcome.remaining, now) {
            Some(left) => outcome.remaining = left,
            None => outcome = outcome.exhausted(),
        }
    }
    shared.metrics.count(outcome.code);
    logged.client = client;
    logged.code = outcome.code.as_str();
    logged.key_id = outcome.key_id.clone();
    (verification_answer(&outcome), logged)
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
    fn the_client_ip_believes_only_trusted_proxies() {
        let trusted = vec!["10.0.0.0/8".parse().unwrap()];
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9, 198.51.100.7"),
            ("x-forwarded-for", "10.0.0.5"),
        ]);
        let direct: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(client_ip(Peer::Tcp(direct), &h, &trusted), Some(direct));
        let proxy: IpAddr = "10.1.1.1".parse().unwrap();
        assert_eq!(
            client_ip(Peer::Tcp(proxy), &h, &trusted),
            Some("198.51.100.7".parse().unwrap())
        );
        let real = headers(&[("x-real-ip", "203.0.113.50")]);
        assert_eq!(
            client_ip(Peer::Tcp(proxy), &real, &trusted),
            Some("203.0.113.50".parse().unwrap())
        );
        assert_eq!(
            client_ip(Peer::Unix, &real, &[]),
            Some("203.0.113.50".parse().unwrap())
        );
        assert_eq!(client_ip(Peer::Unix, &HeaderMap::new(), &[]), None);
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
            vec!["a", "b", "c:read"]
        );
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("a%"), Some("a%".into()));
    }

    #[test]
    fn header_text_escapes_what_could_break_a_header() {
        assert_eq!(header_text("ci-deploy"), "ci-deploy");
        assert_eq!(header_text("a\r\nb"), "a%0D%0Ab");
        assert_eq!(header_text("é"), "%C3%A9");
    }
}
