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
    if is_text(v) {
        std::str::from_utf8(v).ok()
    } else {
        None
    }
}

/// Whether [`text`] reads `v`, without making the `str`.
fn is_text(v: &[u8]) -> bool {
    // Every byte looked at (no early exit): the loop is then a few vector instructions.
    v.iter().fold(true, |ok, &b| {
        ok & ((b.wrapping_sub(32) < 95) | (b == b'\t'))
    })
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

/// [`parse_ip`] of an entry of a header value already [`text`], read as bytes: a dotted IPv4
/// address (the common case behind a gateway) directly, anything else by `parse_ip`.
fn parse_ip_bytes(b: &[u8]) -> Option<IpAddr> {
    let b = b.trim_ascii();
    match ipv4(b) {
        Some(v4) => Some(IpAddr::V4(v4)),
        None => std::str::from_utf8(b).ok().and_then(parse_ip),
    }
}

/// A dotted IPv4 address exactly as `Ipv4Addr::from_str` reads one (four decimal parts of at
/// most 255, no leading zero), or `None` for anything else, which is then left to it.
fn ipv4(b: &[u8]) -> Option<std::net::Ipv4Addr> {
    // One pass: `done` parts finished, `n` the one being read, `len` its digits.
    let mut parts = [0u8; 4];
    let (mut done, mut n, mut len, mut zero_first) = (0, 0u16, 0, false);
    for &c in b {
        if c == b'.' {
            if len == 0 || done == 3 {
                return None;
            }
            parts[done] = u8::try_from(n).ok()?;
            (done, n, len) = (done + 1, 0, 0);
        } else if c.is_ascii_digit() {
            if len == 3 || (len == 1 && zero_first) {
                return None;
            }
            if len == 0 {
                zero_first = c == b'0';
            }
            n = n * 10 + u16::from(c - b'0');
            len += 1;
        } else {
            return None;
        }
    }
    if done != 3 || len == 0 {
        return None;
    }
    parts[3] = u8::try_from(n).ok()?;
    Some(std::net::Ipv4Addr::from(parts))
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
                if !is_text(v) {
                    return Err(BadClientIp);
                }
                for entry in v.rsplit(|&c| c == b',') {
                    let ip = parse_ip_bytes(entry).ok_or(BadClientIp)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The fast IPv4 reading never disagrees with the standard library's: whatever it
        /// reads, `Ipv4Addr::from_str` reads the same, and every entry reads as before.
        #[test]
        fn the_fast_ipv4_reading_agrees_with_std(
            s in "[0-9.:a-f ]{0,20}|[ ]?[0-9]{1,4}(\\.[0-9]{0,4}){2,4}[ ]?"
        ) {
            if let Some(v4) = ipv4(s.as_bytes()) {
                prop_assert_eq!(s.parse::<std::net::Ipv4Addr>().ok(), Some(v4));
            }
            prop_assert_eq!(parse_ip_bytes(s.as_bytes()), parse_ip(&s));
        }

        /// The same over dotted numbers: 3 to 5 parts of 0-300, some with leading zeros.
        #[test]
        fn dotted_numbers_read_as_std_reads_them(
            parts in prop::collection::vec((0u16..300, 0usize..3), 3..=5)
        ) {
            let s = parts
                .iter()
                .map(|(n, zeros)| format!("{}{n}", "0".repeat(*zeros)))
                .collect::<Vec<_>>()
                .join(".");
            prop_assert_eq!(ipv4(s.as_bytes()), s.parse::<std::net::Ipv4Addr>().ok());
            prop_assert_eq!(parse_ip_bytes(s.as_bytes()), parse_ip(&s));
        }
    }

    #[test]
    fn the_fast_ipv4_reading_refuses_what_std_refuses() {
        for s in [
            "010.0.0.1",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1..2.3",
            "1.2.3.4.",
            "",
            "0001.2.3.4",
        ] {
            assert_eq!(ipv4(s.as_bytes()), None, "{s}");
            assert_eq!(s.parse::<std::net::Ipv4Addr>().ok(), None, "{s}");
        }
        assert_eq!(ipv4(b"0.0.0.0"), Some(std::net::Ipv4Addr::UNSPECIFIED));
        assert_eq!(
            ipv4(b"255.255.255.255"),
            Some(std::net::Ipv4Addr::BROADCAST)
        );
        assert_eq!(
            parse_ip_bytes(b" ::ffff:10.1.2.3 "),
            Some("10.1.2.3".parse().unwrap())
        );
    }
}
