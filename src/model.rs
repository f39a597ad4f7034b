//! Plain types with the rules on them: a key's record, its derived status, names and scopes.

use crate::error::{Error, Result};
use serde::Serialize;

/// The longest name a key or group may have, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Within this many seconds of expiry, `list` marks a key as expiring soon.
pub const EXPIRING_SOON_SECS: i64 = 7 * 86_400;

/// A key's derived status (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Inactive,
    Expired,
    Rotating,
}

impl Status {
    /// The word used in tables and json.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
            Status::Expired => "expired",
            Status::Rotating => "rotating",
        }
    }
}

/// Everything stored about a key except its hash, which never leaves the store module's queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub check_code: String,
    pub revoked: bool,
    pub revoked_reason: Option<String>,
    pub created_at: i64,
    pub created_by: String,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub use_count: i64,
    pub description: String,
    pub scopes: Vec<String>,
    pub groups: Vec<String>,
    pub allowed_ips: Vec<String>,
    pub rotated_from: Option<String>,
    pub rotated_to: Option<String>,
    /// Who the key belongs to: a customer, a service.
    pub owner: Option<String>,
    /// Free key=value pairs returned by verify.
    pub meta: std::collections::BTreeMap<String, String>,
    /// Uses left; `None` for no limit.
    pub remaining: Option<i64>,
    /// Rate limits: every one must pass (SPEC §10).
    pub rates: Vec<crate::engine::limits::Rate>,
    /// Remaining uses set back to N each period from creation.
    pub refill: Option<crate::engine::limits::Refill>,
    /// The refill period `remaining` belongs to.
    pub refill_period: i64,
    /// The GCRA state of each rate, as a CLI verify of the store keeps it.
    pub rate_state: Vec<i64>,
    /// The client address of the latest recorded use.
    pub last_used_ip: Option<String>,
}

impl KeyRecord {
    /// The status at time `now` (unix seconds). Revocation wins over expiry, as in `verify`.
    pub fn status(&self, now: i64) -> Status {
        if self.revoked {
            Status::Inactive
        } else if self.expires_at.is_some_and(|e| e <= now) {
            Status::Expired
        } else if self.rotated_to.is_some() {
            Status::Rotating
        } else {
            Status::Active
        }
    }

    /// Whether the key is usable but expires within seven days of `now`.
    pub fn expiring_soon(&self, now: i64) -> bool {
        self.expires_within(now, EXPIRING_SOON_SECS)
    }

    /// The key's limits, as the engine reads them.
    pub fn limits(&self) -> crate::engine::limits::Limits {
        crate::engine::limits::Limits {
            rates: self.rates.clone(),
            refill: self.refill,
            created_at: self.created_at,
        }
    }

    /// The limit state as stored.
    pub fn limit_state(&self) -> crate::engine::limits::State {
        crate::engine::limits::State {
            tats: self.rate_state.clone(),
            remaining: self.remaining,
            period: self.refill_period,
        }
    }

    /// Whether the key went unused since `cutoff`: last used before it, or never used and
    /// created before it. One rule for `list --unused-since` and `status` (SPEC §9).
    pub fn unused_since(&self, cutoff: i64) -> bool {
        self.last_used_at.unwrap_or(self.created_at) < cutoff
    }

    /// Whether the key is live and expires within `secs` of `now`.
    pub fn expires_within(&self, now: i64, secs: i64) -> bool {
        // A superseded key (rotating) ends as planned: its successor is what expires.
        self.status(now) == Status::Active && self.expires_at.is_some_and(|e| e - now <= secs)
    }

    /// The masked form: beginning and end, nothing secret.
    pub fn masked(&self) -> String {
        crate::token::mask(&self.prefix, &self.id, &self.check_code)
    }
}

pub use crate::text::is_invisible;

/// Checks a key or group name: 1–64 printable characters, no leading or trailing space, no
/// invisible or direction-changing character, and (for keys) not of the shape of a token.
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 1024;

/// Checks a description: at most 1,024 characters, and never a token (a secret pasted into
/// the wrong field would be stored and shown in clear). The error never quotes it.
pub fn check_description(d: &str) -> Result<()> {
    let n = d.chars().count();
    if n > MAX_DESCRIPTION_CHARS {
        return Err(Error::usage(
            format!("the description is {n} characters long"),
            format!("a description has at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    let shaped = d
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| {
            // A token glued to a word before it (`key_ak_…`) is still a token.
            std::iter::once(w)
                .chain(w.match_indices('_').map(|(i, _)| &w[i + 1..]))
                .any(crate::token::has_token_shape)
        });
    if shaped
        || !crate::scan::matcher::Matcher::any_prefix()
            .find(d.as_bytes())
            .is_empty()
    {
        return Err(Error::usage(
            "the description holds an API token",
            "never put a secret in a description (it is stored and shown in clear); describe the key instead",
        ));
    }
    Ok(())
}

pub fn check_name(kind: &str, name: &str) -> Result<()> {
    let n = name.chars().count();
    let problem = if name.trim().is_empty() {
        Some("it is empty or blank".to_string())
    } else if n > MAX_NAME_CHARS {
        Some(format!("it is {n} characters long"))
    } else if name.chars().any(char::is_control) {
        Some("it contains a control character".into())
    } else if let Some(c) = name.chars().find(|c| is_invisible(*c)) {
        Some(format!(
            "it contains the invisible character U+{:04X}",
            u32::from(c)
        ))
    } else if name.trim() != name {
        Some("it starts or ends with white space".into())
    } else if crate::token::has_token_shape(name) {
        Some("it has the shape of a token".into())
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(why) => Err(Error::usage(
            format!(
                "invalid {kind} name \"{}\": {why}",
                crate::token::display_ref(&name.chars().take(80).collect::<String>())
            ),
            format!(
                "a {kind} name has 1 to {MAX_NAME_CHARS} printable characters, with no white space at either end"
            ),
        )),
    }
}

/// Checks a scope: 1–256 characters, not blank, no control character, no `,` (the list
/// separator on the command line) and no `;` (the csv list separator).
pub fn check_scope(scope: &str) -> Result<()> {
    if scope.trim().is_empty()
        || scope.chars().count() > 256
        || scope
            .chars()
            .any(|c| c.is_control() || is_invisible(c) || c == ';' || c == ',')
    {
        return Err(Error::usage(
            format!("invalid scope \"{}\"", crate::text::sanitize(scope)),
            "a scope has 1 to 256 printable characters, no `;` and is not blank, e.g. `read:billing`",
        ));
    }
    Ok(())
}

/// The longest owner, in characters.
pub const MAX_OWNER_CHARS: usize = 128;
/// The most meta pairs a key may carry.
pub const MAX_META: usize = 16;

/// Checks an owner: 1–128 printable characters, no invisible ones, no edge spaces.
pub fn check_owner(owner: &str) -> Result<()> {
    let n = owner.chars().count();
    if owner.trim().is_empty()
        || owner.trim() != owner
        || n > MAX_OWNER_CHARS
        || owner.chars().any(|c| c.is_control() || is_invisible(c))
    {
        return Err(Error::usage(
            format!(
                "invalid owner \"{}\" ({n} characters)",
                crate::text::sanitize(&owner.chars().take(80).collect::<String>())
            ),
            format!(
                "an owner has 1 to {MAX_OWNER_CHARS} printable characters, e.g. --owner acme-corp"
            ),
        ));
    }
    Ok(())
}

/// Parses `--meta K=V`: K is `[a-z0-9_.-]{1,32}`, V up to 256 printable characters.
pub fn parse_meta(pair: &str) -> Result<(String, String)> {
    let bad = |why: &str| {
        Error::usage(
            format!(
                "invalid --meta {:?}: {why}",
                crate::text::sanitize(&pair.chars().take(80).collect::<String>())
            ),
            "give KEY=VALUE, KEY of 1-32 characters a-z 0-9 _ . -, VALUE up to 256 printable characters, e.g. --meta plan=pro",
        )
    };
    let (k, v) = pair.split_once('=').ok_or_else(|| bad("no `=`"))?;
    if k.is_empty()
        || k.len() > 32
        || !k
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b))
    {
        return Err(bad("the key is not [a-z0-9_.-]{1,32}"));
    }
    if v.chars().count() > 256 || v.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Err(bad(
            "the value is longer than 256 characters or not printable",
        ));
    }
    Ok((k.to_string(), v.to_string()))
}

/// Checks the size of a key's meta map.
pub fn check_meta_count(meta: &std::collections::BTreeMap<String, String>) -> Result<()> {
    if meta.len() > MAX_META {
        return Err(Error::usage(
            format!(
                "{} meta pairs; a key carries at most {MAX_META}",
                meta.len()
            ),
            "remove some with `apikeys edit KEY --remove-meta K`",
        ));
    }
    Ok(())
}

/// Parses `--uses N|none`: a limit of N ≥ 0 uses, or none.
pub fn parse_uses(s: &str) -> Result<Option<i64>> {
    if s.trim().eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    if s.trim() == "0" {
        return Err(Error::usage(
            "--uses 0 would make a key that can never be used",
            "give at least 1 use; to stop a key, revoke it (`apikeys revoke KEY`)",
        ));
    }
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=crate::engine::limits::MAX_USES).contains(n))
        .map(Some)
        .ok_or_else(|| {
            Error::usage(
                format!("invalid --uses {:?}", crate::text::sanitize(s)),
                "give a number of uses from 1 to 1000000000000, or `none` for no limit",
            )
        })
}

/// Scopes as given on the command line: each value may list several, separated by commas
/// (`--scope a,b` is `--scope a --scope b`, as in the wizard); each is checked, each kept once.
pub fn split_scopes(given: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for s in given.iter().flat_map(|g| g.split(',')).map(str::trim) {
        check_scope(s)?;
        add_unique(&mut out, s);
    }
    Ok(out)
}

/// Parses an allowed address or network; a bare address becomes a /32 or /128.
pub fn parse_net(s: &str) -> Result<ipnet::IpNet> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            Error::usage(
                format!("invalid IP address or CIDR {:?}", crate::text::sanitize(s)),
                "give an address such as 203.0.113.7 or 2001:db8::1, or a network such as 10.0.0.0/8",
            )
        })
}

/// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address it carries; any other
/// address as it is. Connections, headers, trusted proxies and allow-lists all go through it.
pub fn canonical_ip(ip: std::net::IpAddr) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, std::net::IpAddr::V4),
        std::net::IpAddr::V4(_) => ip,
    }
}

/// A network as given, with an IPv4-mapped IPv6 network of prefix /96 or longer turned
/// into the IPv4 network it covers.
pub fn canonical_net(net: ipnet::IpNet) -> ipnet::IpNet {
    match net {
        ipnet::IpNet::V6(n) if n.prefix_len() >= 96 => match n.addr().to_ipv4_mapped() {
            Some(v4) => ipnet::Ipv4Net::new(v4, n.prefix_len() - 96).map_or(net, ipnet::IpNet::V4),
            None => net,
        },
        _ => net,
    }
}

/// Whether `ip` falls within any of `allowed`; an empty list admits every address.
/// IPv4-mapped IPv6 addresses are matched as the IPv4 address they carry.
pub fn ip_allowed(allowed: &[ipnet::IpNet], ip: std::net::IpAddr) -> bool {
    let ip4 = canonical_ip(ip);
    allowed.is_empty()
        || allowed
            .iter()
            .any(|n| n.contains(&ip) || canonical_net(*n).contains(&ip4))
}

/// Rate limits as given (`--rate N/DUR`, repeatable): each checked, duplicates once.
pub fn parse_rates(given: &[String]) -> Result<Vec<crate::engine::limits::Rate>> {
    let mut out: Vec<crate::engine::limits::Rate> = Vec::new();
    for g in given {
        let r = crate::engine::limits::Rate::parse(g).ok_or_else(|| {
            Error::usage(
                format!("invalid rate {:?}", crate::text::sanitize(g)),
                "give N/DUR, e.g. --rate 100/1s or --rate 6000/1h (N from 1 to 1000000, DUR from 1ms to 366d)",
            )
        })?;
        match out.iter().find(|o| o.per_ms == r.per_ms) {
            Some(o) if *o == r => {}
            // Two limits over one window: the lower alone would ever count.
            Some(o) => {
                return Err(Error::usage(
                    format!("two rates over one window: {o} and {r}"),
                    "give one rate per window, e.g. --rate 10/1s --rate 1000/1h",
                ));
            }
            None => out.push(r),
        }
    }
    Ok(out)
}

/// A refill as given (`--refill N/DUR`), or `none`.
pub fn parse_refill(given: &str) -> Result<Option<crate::engine::limits::Refill>> {
    if given.trim() == "none" {
        return Ok(None);
    }
    crate::engine::limits::Refill::parse(given).map(Some).ok_or_else(|| {
        Error::usage(
            format!("invalid refill {:?}", crate::text::sanitize(given)),
            "give N/DUR with N from 1 to 1000000000000 and DUR in whole seconds or more, e.g. --refill 1000/30d (with --uses), or none",
        )
    })
}

/// Adds `item` to `list` unless present; keeps first-seen order.
pub fn add_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> KeyRecord {
        KeyRecord {
            id: "abcdefghijkl".into(),
            name: "ci".into(),
            prefix: "ak".into(),
            check_code: "000000".into(),
            revoked: false,
            revoked_reason: None,
            created_at: 0,
            created_by: "me".into(),
            expires_at: Some(1000),
            last_used_at: None,
            use_count: 0,
            description: String::new(),
            scopes: vec![],
            groups: vec![],
            allowed_ips: vec![],
            rotated_from: None,
            rotated_to: None,
            owner: None,
            meta: Default::default(),
            remaining: None,
            rates: vec![],
            refill: None,
            refill_period: 0,
            rate_state: vec![],
            last_used_ip: None,
        }
    }

    #[test]
    fn status_is_derived_with_revocation_first() {
        let mut k = key();
        assert_eq!(k.status(999), Status::Active);
        assert_eq!(k.status(1000), Status::Expired);
        k.rotated_to = Some("x".into());
        assert_eq!(k.status(10), Status::Rotating);
        k.revoked = true;
        assert_eq!(k.status(2000), Status::Inactive);
    }

    #[test]
    fn expiring_soon_is_seven_days() {
        let k = key();
        assert!(k.expiring_soon(1000 - EXPIRING_SOON_SECS));
        let mut far = key();
        far.expires_at = Some(EXPIRING_SOON_SECS * 3);
        assert!(!far.expiring_soon(0));
    }

    #[test]
    fn names_are_printable_and_bounded() {
        assert!(check_name("key", "ci-deploy \"quoted\" 'x'; DROP TABLE keys;").is_ok());
        assert!(check_name("key", &"é".repeat(64)).is_ok());
        assert!(check_name("key", &"x".repeat(65)).is_err());
        assert!(check_name("key", "").is_err());
        assert!(check_name("key", "   ").is_err());
        assert!(check_name("key", "bad\x1b[31m").is_err());
        assert_eq!(check_name("key", "a\nb").unwrap_err().exit_code(), 2);
        assert!(check_name("key", "ci\u{200b}-deploy").is_err());
        assert!(check_name("key", "\u{202e}evil").is_err());
        assert!(check_name("key", " ci").is_err());
        assert!(check_name("key", "ci ").is_err());
        assert!(check_name("key", "deploybot123").is_ok());
        let long = check_name("key", &"x".repeat(65)).unwrap_err().to_string();
        assert!(long.contains("65 characters"), "{long}");
        let tab = check_name("key", "a\tb").unwrap_err().to_string();
        assert!(tab.contains("\"a\\tb\""), "{tab}");
    }

    #[test]
    fn scopes_split_on_commas_and_refuse_separators() {
        let got = split_scopes(&["a, b".into(), "c".into(), "a".into()]).unwrap();
        assert_eq!(got, vec!["a", "b", "c"]);
        assert!(split_scopes(&["a;b".into()]).is_err());
        assert!(split_scopes(&["a,,b".into()]).is_err());
        assert!(split_scopes(&["x\u{7}".into()]).is_err());
    }

    #[test]
    fn ip_matching_covers_v4_v6_and_mapped() {
        let nets = vec![
            parse_net("10.0.0.0/8").unwrap(),
            parse_net("2001:db8::/32").unwrap(),
        ];
        assert!(ip_allowed(&nets, "10.1.2.3".parse().unwrap()));
        assert!(!ip_allowed(&nets, "11.0.0.1".parse().unwrap()));
        assert!(ip_allowed(&nets, "2001:db8::7".parse().unwrap()));
        assert!(!ip_allowed(&nets, "2001:db9::7".parse().unwrap()));
        assert!(ip_allowed(&nets, "::ffff:10.9.9.9".parse().unwrap()));
        assert!(ip_allowed(&[], "192.0.2.1".parse().unwrap()));
        assert_eq!(parse_net("192.0.2.1").unwrap().to_string(), "192.0.2.1/32");
        assert!(parse_net("10.0.0.0/33").is_err());
    }
}
