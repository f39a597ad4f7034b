//! A key's own checks of a token, in the order of SPEC §3 (existence and hash, status,
//! expiry, client address, scopes), and the answer built from what they found.

use super::{Code, Entry, KeySet, Outcome, Reason, Request, parse};
use crate::token;

/// What a key's own checks said of a token ([`KeySet::judge_parsed`]).
#[derive(Debug)]
pub struct Judged<'a> {
    /// The key the token named and its place among the keys (`0..len`), when the secret
    /// matched.
    pub key: Option<(usize, &'a Entry)>,
    pub code: Code,
    pub reason: Reason,
}

impl KeySet {
    /// Checks a token as given, in the order of SPEC §3: format, checksum, existence, hash,
    /// status, expiry, IP, scopes.
    pub fn check(&self, text: &str, req: &Request<'_>, now: i64) -> Outcome {
        match parse(text) {
            Err(why) => Outcome::malformed(why),
            Ok(t) => self.check_parsed(&t, req, now),
        }
    }

    /// Checks a token that passed the format and checksum checks.
    pub fn check_parsed(&self, t: &token::ParsedToken<'_>, req: &Request<'_>, now: i64) -> Outcome {
        self.outcome(self.judge_parsed(t, req, now))
    }

    /// The key's own checks of a token that passed the format and checksum checks, before
    /// any answer is built ([`KeySet::outcome`]): what `serve` needs to answer a valid key
    /// from what it built for it before.
    pub fn judge_parsed(
        &self,
        t: &token::ParsedToken<'_>,
        req: &Request<'_>,
        now: i64,
    ) -> Judged<'_> {
        let given = self.ready.secret_hash(t.id, t.expose_secret());
        let entry = self.find(t.id);
        // Compare in constant time, against a dummy when the id is unknown.
        let stored = entry.map_or([0u8; 32], |(_, e)| e.hash);
        let matches = crate::secret::digests_equal(&given, &stored);
        let Some((at, k)) = entry.filter(|(_, k)| matches && k.prefix() == t.prefix) else {
            return Judged {
                key: None,
                code: Code::Unknown,
                reason: Reason::None,
            };
        };
        // An IPv4-mapped IPv6 address is the IPv4 address, here as everywhere.
        let ip = req.ip.map(crate::model::canonical_ip);
        let (nets, nets_unreadable) = self.nets_of(k);
        let scopes = self.scopes_of(k);
        let (code, reason) = if k.revoked() {
            (Code::Inactive, Reason::None)
        } else if k.expires_at().is_some_and(|e| e <= now) {
            (Code::Expired, Reason::None)
        } else if nets_unreadable {
            // A stored entry that cannot be read denies every address, never allows one.
            (Code::IpDenied, Reason::None)
        } else if !nets.is_empty() && ip.is_none() {
            // Fail closed: a key limited to some addresses is never valid from an unknown one.
            (Code::IpDenied, Reason::NoIp)
        } else if let Some(ip) = ip.filter(|ip| !crate::model::ip_allowed(nets, *ip)) {
            (Code::IpDenied, Reason::Ip(ip))
        } else if req.unreadable_scope {
            (
                Code::ScopeDenied,
                Reason::Scope("(a scope that cannot be decoded)".into()),
            )
        } else if let Some(s) = req.scopes.iter().find(|s| !scopes.contains(s)) {
            (Code::ScopeDenied, Reason::Scope(s.clone()))
        } else {
            // Rates and uses come after, from wherever their state is kept: a front end
            // applies `limits::decide` through its counters (SPEC §4's order: rate, then uses).
            (Code::Valid, Reason::None)
        };
        Judged {
            key: Some((at, k)),
            code,
            reason,
        }
    }

    /// The answer of what [`KeySet::judge_parsed`] said.
    pub fn outcome(&self, j: Judged<'_>) -> Outcome {
        let Judged { key, code, reason } = j;
        let Some((_, k)) = key else {
            return Outcome::bare(code, reason);
        };
        let scopes = self.scopes_of(k);
        Outcome {
            valid: code == Code::Valid,
            code,
            key_id: Some(k.id().to_string()),
            name: Some(k.name().to_string()),
            owner: k.owner().map(str::to_string),
            meta: Some(k.meta().cloned().unwrap_or_default()),
            expires_at: k.expires_at(),
            remaining: k.remaining(),
            retry_after: None,
            refills_at: None,
            headroom: None,
            scopes: scopes.to_vec(),
            reason,
        }
    }
}
