//! Answers as bytes on the wire: what the fast lane (`serve::lane`) writes for a valid key's
//! prebuilt answer, with no header map to clone, fill and walk for each request.

use super::Answer;
use crate::engine::limits::Decision;
use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};

/// An answer given: built (hyper's type), or a prebuilt answer's bytes (boxed: its figures
/// are on the stack, and moving them through each step of a request cost more than the box).
#[derive(Debug)]
pub enum Reply {
    /// Boxed: the other answers are a pointer, and a reply is moved a few times a request.
    Built(Box<Answer>),
    Wire(Box<Wire>),
    /// A key with no limit: the same bytes every time, shared with its prebuilt answer (one
    /// reference for both parts).
    Whole(std::sync::Arc<Whole>),
}

impl From<Answer> for Reply {
    fn from(a: Answer) -> Reply {
        Reply::Built(Box::new(a))
    }
}

impl Reply {
    /// The answer's status.
    pub fn status(&self) -> u16 {
        match self {
            Reply::Built(a) => a.status().as_u16(),
            Reply::Wire(_) | Reply::Whole(_) => 200,
        }
    }

    /// The answer as hyper's type.
    pub fn into_answer(self) -> Answer {
        match self {
            Reply::Built(a) => *a,
            Reply::Wire(w) => (*w).into_answer(),
            Reply::Whole(w) => answer_of(&w.top, w.body.clone()),
        }
    }
}

/// The 200 answer of a key with no limit as bytes: `top` (the status line and every header
/// but `content-length` and `date`, which the writer adds), then `body`.
#[derive(Debug)]
pub struct Whole {
    pub top: Bytes,
    pub body: Bytes,
}

/// A 200 answer as bytes: `top` (the status line and a limited key's headroom), `lines` (its
/// other headers, built once), then (after `content-length` and `date`, which the writer
/// adds) the body: `head`, `figures`, `tail`.
#[derive(Debug)]
pub struct Wire {
    pub top: Figures,
    pub lines: Bytes,
    pub head: Bytes,
    pub figures: Figures,
    pub tail: Bytes,
}

impl Wire {
    /// The body's length.
    pub fn body_len(&self) -> usize {
        self.head.len() + self.figures.as_bytes().len() + self.tail.len()
    }

    /// The same answer as hyper's type (headers in the same order, the same body).
    pub fn into_answer(self) -> Answer {
        let mut body = Vec::with_capacity(self.body_len());
        for part in [&self.head[..], self.figures.as_bytes(), &self.tail[..]] {
            body.extend_from_slice(part);
        }
        let mut top = self.top.as_bytes().to_vec();
        top.extend_from_slice(&self.lines);
        answer_of(&top, Bytes::from(body))
    }
}

/// A 200 answer as hyper's type from its status line and header lines as written (headers
/// in the same order) and its body.
fn answer_of(top: &[u8], body: Bytes) -> Answer {
    let mut headers = HeaderMap::new();
    let after_status = top
        .windows(2)
        .position(|w| w == b"\r\n")
        .map_or(top.len(), |i| i + 2);
    for line in top[after_status..].split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            headers.append(n, v);
        }
    }
    let mut r = Response::new(Full::new(body));
    *r.headers_mut() = headers;
    r
}

/// Appends `headers` as HTTP/1.1 writes them: a `name: value` line each, in order.
pub fn header_lines<'a>(
    out: &mut Vec<u8>,
    headers: impl Iterator<Item = (&'a HeaderName, &'a HeaderValue)>,
) {
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

/// Bytes written on the stack: an answer's figures, or its status line and headroom.
#[derive(Debug)]
pub struct Figures {
    buf: [u8; 160],
    len: usize,
    /// What did not fit (never, for the figures of a decision), kept whole.
    spilled: Vec<u8>,
}

impl Default for Figures {
    fn default() -> Figures {
        Figures {
            buf: [0; 160],
            len: 0,
            spilled: Vec::new(),
        }
    }
}

impl Figures {
    pub fn put(&mut self, b: &[u8]) {
        match self.buf.get_mut(self.len..self.len + b.len()) {
            Some(room) if self.spilled.is_empty() => {
                room.copy_from_slice(b);
                self.len += b.len();
            }
            _ => {
                if self.spilled.is_empty() {
                    self.spilled.extend_from_slice(&self.buf[..self.len]);
                }
                self.spilled.extend_from_slice(b);
            }
        }
    }

    pub fn number(&mut self, n: i64) {
        self.put(itoa::Buffer::new().format(n).as_bytes());
    }

    pub fn unsigned(&mut self, n: u64) {
        self.put(itoa::Buffer::new().format(n).as_bytes());
    }

    /// A decision's figures, as `Outcome::limited` writes them into the body.
    pub fn of(d: &Decision) -> Figures {
        let mut figures = Figures::default();
        if let Some(n) = d.remaining {
            figures.put(b"\"remaining\":");
            figures.number(n);
            figures.put(b",");
        }
        if let Some(s) = d.retry_after {
            figures.put(b"\"retry_after\":");
            figures.number(s);
            figures.put(b",");
        }
        if let Some(t) = d.refills_at {
            figures.put(b"\"refills_at\":\"");
            figures.put(crate::text::rfc3339(t).as_bytes());
            figures.put(b"\",");
        }
        figures
    }

    pub fn as_bytes(&self) -> &[u8] {
        if self.spilled.is_empty() {
            &self.buf[..self.len]
        } else {
            &self.spilled
        }
    }
}
