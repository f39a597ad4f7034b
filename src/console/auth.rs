//! Who may use the console: a one-time login token exchanged for a session cookie, sessions
//! that end after 15 minutes idle, a CSRF token per session, and the Host and Origin checks
//! that keep other sites and rebound DNS names out (SPEC §15).

use std::collections::HashMap;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// How long a session lives without a request.
pub const IDLE: Duration = Duration::from_secs(15 * 60);
/// The session cookie's name.
pub const COOKIE: &str = "apikeys_console";

/// One signed-in browser.
#[derive(Debug)]
pub struct Session {
    pub csrf: String,
    last: Instant,
}

/// The login token (until spent) and the sessions.
#[derive(Debug)]
pub struct Gate {
    login: Option<String>,
    sessions: HashMap<String, Session>,
    /// What the Host header must be (`127.0.0.1:PORT`), `None` on a unix socket.
    pub host: Option<String>,
}

/// Compares secrets in constant time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Gate {
    pub fn new(host: Option<String>) -> crate::error::Result<(Gate, String)> {
        let token = crate::token::random_base62(32)?;
        Ok((
            Gate {
                login: Some(token.clone()),
                sessions: HashMap::new(),
                host,
            },
            token,
        ))
    }

    /// A new login token (after the last was spent and a session ended): printed on the
    /// terminal, never sent to a browser.
    /// `None` while the printed token is still unspent: an anonymous request never spoils it.
    pub fn renew(&mut self) -> Option<String> {
        if self.login.is_some() {
            return None;
        }
        let token = crate::token::random_base62(32).ok()?;
        self.login = Some(token.clone());
        Some(token)
    }

    /// Spends the login token: a new session's (id, csrf), or `None` for a wrong or spent one.
    pub fn log_in(&mut self, given: &str) -> Option<(String, String)> {
        let ok = self.login.as_deref().is_some_and(|t| same(t, given));
        if !ok {
            return None;
        }
        self.login = None;
        let id = crate::token::random_base62(32).ok()?;
        let csrf = crate::token::random_base62(32).ok()?;
        self.sessions.insert(
            id.clone(),
            Session {
                csrf: csrf.clone(),
                last: Instant::now(),
            },
        );
        Some((id, csrf))
    }

    /// The live session a cookie names (its idle clock restarted), or `None`.
    pub fn session(&mut self, cookie: Option<&str>) -> Option<&Session> {
        let now = Instant::now();
        self.sessions
            .retain(|_, s| now.duration_since(s.last) < IDLE);
        let id = cookie?;
        let (_, s) = self.sessions.iter_mut().find(|(k, _)| same(k, id))?;
        s.last = now;
        Some(s)
    }

    /// Whether the Host header names the console's own address (DNS rebinding).
    pub fn host_ok(&self, host: Option<&str>) -> bool {
        match &self.host {
            None => true,
            Some(want) => host.is_some_and(|h| h.eq_ignore_ascii_case(want)),
        }
    }

    /// Whether a POST comes from the console's own pages: its Origin is this address.
    pub fn origin_ok(&self, origin: Option<&str>) -> bool {
        match (&self.host, origin) {
            (Some(want), Some(o)) => o.eq_ignore_ascii_case(&format!("http://{want}")),
            // A unix socket behind a local proxy: the CSRF token alone decides.
            (None, _) => true,
            (Some(_), None) => false,
        }
    }
}

/// The session id from a Cookie header.
pub fn cookie_of(header: Option<&str>) -> Option<&str> {
    header?
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v)
}
