//! Reading a forward-auth request: the client's address (one header, from trusted proxies only), the token, the required scopes.

use super::*;

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
    /// Headers that mean something else to a request: the token's, the scopes', apikeys' own
    /// answers, and HTTP's framing. None of them can carry the client's address.
    pub const RESERVED: [&str; 10] = [
        "x-api-key",
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-required-scope",
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "x-apikey-*",
    ];

    /// The header named by `--client-ip-header`; `None` for a name that is not a header
    /// name or is one of [`Self::RESERVED`].
    pub fn parse(name: &str) -> Option<ClientIpHeader> {
        let h = HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
        if h.as_str().starts_with("x-apikey-") || Self::RESERVED.contains(&h.as_str()) {
            return None;
        }
        Some(if h == "x-forwarded-for" {
            ClientIpHeader::Forwarded
        } else {
            ClientIpHeader::Single(h)
        })
    }
}

/// A request's headers, as an answer reads them: every value of one name, in the order
/// sent. hyper's map, or the headers httparse read for the fast lane (`serve::lane`).
pub trait Headers {
    /// The values of `name`, first to last.
    fn values<'a>(&'a self, name: &'a HeaderName) -> Values<'a>;
}

impl Headers for HeaderMap {
    fn values<'a>(&'a self, name: &'a HeaderName) -> Values<'a> {
        Values::Map(self.get_all(name).into_iter())
    }
}

/// The headers of a request head read by httparse.
#[derive(Debug)]
pub struct Raw<'h, 'b>(pub &'h [httparse::Header<'b>]);

impl Headers for Raw<'_, '_> {
    fn values<'a>(&'a self, name: &'a HeaderName) -> Values<'a> {
        Values::Raw(self.0.iter(), name.as_str())
    }
}

/// The values of one header name.
#[derive(Debug)]
pub enum Values<'a> {
    /// From hyper's map.
    Map(hyper::header::ValueIter<'a, HeaderValue>),
    /// From httparse's list: those whose name is this one (names are sent in any case).
    Raw(std::slice::Iter<'a, httparse::Header<'a>>, &'a str),
}

impl<'a> Iterator for Values<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        match self {
            Values::Map(i) => i.next().map(HeaderValue::as_bytes),
            Values::Raw(i, name) => i.find(|h| named(h.name, name)).map(|h| h.value),
        }
    }
}

impl DoubleEndedIterator for Values<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Values::Map(i) => i.next_back().map(HeaderValue::as_bytes),
            Values::Raw(i, name) => i.rfind(|h| named(h.name, name)).map(|h| h.value),
        }
    }
}

/// Whether a header sent as `sent` (any case) is `name` (lowercase, as every `HeaderName`):
/// the lengths first, then the bytes, only the sent ones lowered.
fn named(sent: &str, name: &str) -> bool {
    sent.len() == name.len()
        && sent
            .bytes()
            .zip(name.bytes())
            .all(|(a, b)| a.to_ascii_lowercase() == b)
}

/// A header value as text, exactly when `HeaderValue::to_str` gives it: visible ASCII and tabs.
pub(super) fn text(v: &[u8]) -> Option<&str> {
    // Every byte looked at (no early exit): the loop is then a few vector instructions.
    if v.iter().fold(true, |ok, &b| {
        ok & ((b.wrapping_sub(32) < 95) | (b == b'\t'))
    }) {
        std::str::from_utf8(v).ok()
    } else {
        None
    }
}

/// The request headers read by name, made once: a lookup by a string parses the name
/// again on every request.
static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");
static X_REQUIRED_SCOPE: HeaderName = HeaderName::from_static("x-required-scope");
pub(super) static X_APIKEY_COST: HeaderName = HeaderName::from_static("x-apikey-cost");

pub(super) fn in_any(nets: &[ipnet::IpNet], ip: IpAddr) -> bool {
    nets.iter().any(|n| n.contains(&ip))
}

/// An address in a header value (already [`text`]: ASCII, so trimmed as ASCII).
pub(super) fn parse_ip(s: &str) -> Option<IpAddr> {
    s.trim_ascii().parse().ok().map(crate::model::canonical_ip)
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
    headers: &impl Headers,
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
            let mut values = headers.values(name);
            match (values.next(), values.next()) {
                (None, _) => None,
                (Some(v), None) => Some(text(v).and_then(parse_ip).ok_or(BadClientIp)?),
                (Some(_), Some(_)) => return Err(BadClientIp),
            }
        }
        ClientIpHeader::Forwarded => {
            // Walk from the right (the last header's last entry first): the first entry not
            // added by a trusted proxy is the client. An empty or unreadable entry before it
            // makes the whole request malformed; entries left of it are not read.
            let mut found = None;
            'walk: for v in headers.values(&X_FORWARDED_FOR).rev() {
                let text = text(v).ok_or(BadClientIp)?;
                for entry in text.rsplit(',') {
                    let ip = parse_ip(entry).ok_or(BadClientIp)?;
                    found = Some(ip);
                    if !in_any(trusted, ip) {
                        break 'walk;
                    }
                }
            }
            found
        }
    };
    Ok(from_header.or(direct))
}

/// The token of a request: `X-API-Key`, else `Authorization: Bearer`. Two keys, a value
/// that is not text, or another scheme are malformed; none at all is `Paste::Empty`.
pub(super) fn token(headers: &impl Headers) -> Result<&str, Paste> {
    let mut keys = headers.values(&X_API_KEY);
    if let Some(v) = keys.next() {
        if keys.next().is_some() {
            return Err(Paste::Token(crate::token::Malformed::Shape));
        }
        return text(v)
            .map(str::trim_ascii)
            .ok_or(Paste::Token(crate::token::Malformed::Shape));
    }
    let mut auth = headers.values(&hyper::header::AUTHORIZATION);
    match (auth.next(), auth.next()) {
        (None, _) => Err(Paste::Empty),
        (Some(v), None) => {
            let v = text(v).ok_or(Paste::Token(crate::token::Malformed::Shape))?;
            // `Bearer <token>`, the scheme in any case (as bytes: every request has one).
            match memchr::memchr(b' ', v.as_bytes()) {
                Some(i) if v[..i].eq_ignore_ascii_case("bearer") => Ok(v[i + 1..].trim_ascii()),
                _ => Err(Paste::Token(crate::token::Malformed::Shape)),
            }
        }
        _ => Err(Paste::Token(crate::token::Malformed::Shape)),
    }
}

/// Decodes `%XX` escapes and `+` of a query value; `None` when an escape is malformed (a
/// `%` must start a full escape: anything else is not a scope we can read) or the value is
/// not UTF-8.
pub(super) fn percent_decode(s: &str) -> Option<String> {
    let bytes = crate::text::percent_decode(s.as_bytes(), crate::text::BadEscape::Refuse)?;
    String::from_utf8(bytes).ok()
}

/// The scopes a request needs: `X-Required-Scope` (comma-separated) and `?scope=S`
/// (repeatable), and whether any of them could not be decoded (then the check fails closed).
pub(super) fn required_scopes(headers: &impl Headers, query: Option<&str>) -> (Vec<String>, bool) {
    let mut unreadable = false;
    let mut raw: Vec<String> = Vec::new();
    for v in headers.values(&X_REQUIRED_SCOPE) {
        match std::str::from_utf8(v) {
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
