//! How results reach people and scripts: tables (comfy-table), json and csv, and safe text.

use crate::model::KeyRecord;
use crate::store::queries::AuditEvent;
use chrono::{DateTime, SecondsFormat};
use comfy_table::{Cell, Color, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::{Serialize, Serializer};

/// Replaces control characters (terminal escapes among them) with visible escapes, so that
/// stored text can never drive the terminal.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().collect::<String>()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A time for tables: `2026-11-23 02:20Z`.
pub fn time(t: i64) -> String {
    DateTime::from_timestamp(t, 0).map_or_else(
        || t.to_string(),
        |d| d.format("%Y-%m-%d %H:%MZ").to_string(),
    )
}

/// A time for json: RFC 3339 in UTC, `2026-11-23T02:20:37Z`.
pub fn rfc3339(t: i64) -> String {
    DateTime::from_timestamp(t, 0).map_or_else(
        || t.to_string(),
        |d| d.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

/// serde helper: a unix time as RFC 3339.
pub fn ser_time<S: Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

/// serde helper: an optional unix time as RFC 3339 or null.
pub fn ser_opt_time<S: Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&rfc3339(*t)),
        None => s.serialize_none(),
    }
}

/// A key as scripts see it: stable snake_case fields, RFC 3339 UTC times, never a secret
/// (but `key` holds the full token in the one-time output of create and rotate).
#[derive(Debug, Serialize)]
pub struct KeyJson {
    pub id: String,
    pub name: String,
    pub key: String,
    pub status: &'static str,
    #[serde(serialize_with = "ser_time")]
    pub created_at: i64,
    pub created_by: String,
    #[serde(serialize_with = "ser_opt_time")]
    pub expires_at: Option<i64>,
    #[serde(serialize_with = "ser_opt_time")]
    pub last_used_at: Option<i64>,
    pub use_count: i64,
    pub description: String,
    pub scopes: Vec<String>,
    pub groups: Vec<String>,
    pub allowed_ips: Vec<String>,
    pub expiring_soon: bool,
    pub revoked_reason: Option<String>,
    pub rotated_from: Option<String>,
    pub rotated_to: Option<String>,
}

impl KeyJson {
    /// The json form of a key at time `now`, with the masked key.
    pub fn new(k: &KeyRecord, now: i64) -> Self {
        KeyJson {
            id: k.id.clone(),
            name: k.name.clone(),
            key: k.masked(),
            status: k.status(now).as_str(),
            created_at: k.created_at,
            created_by: k.created_by.clone(),
            expires_at: k.expires_at,
            last_used_at: k.last_used_at,
            use_count: k.use_count,
            description: k.description.clone(),
            scopes: k.scopes.clone(),
            groups: k.groups.clone(),
            allowed_ips: k.allowed_ips.clone(),
            expiring_soon: k.expiring_soon(now),
            revoked_reason: k.revoked_reason.clone(),
            rotated_from: k.rotated_from.clone(),
            rotated_to: k.rotated_to.clone(),
        }
    }
}

/// The error for a failed write to stdout. A closed pipe (`apikeys log | head -1`) is not a
/// failure: the reader has what it wanted, so the command ends quietly with exit 0.
pub fn stdout_err(e: std::io::Error) -> crate::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        crate::Error::Exit(0)
    } else {
        crate::Error::Io(format!("cannot write stdout: {e}"))
    }
}

/// `Ok(true)` when the reader closed the pipe, for loops that stop there and finish up.
pub fn quiet_pipe(r: std::io::Result<()>) -> crate::Result<bool> {
    match r {
        Ok(()) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(true),
        Err(e) => Err(stdout_err(e)),
    }
}

/// Prints a line on stdout; never panics on a closed pipe.
pub fn print_line(line: &str) -> crate::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(stdout_err)
}

/// Prints a value as pretty json on stdout.
pub fn print_json<T: Serialize>(value: &T) -> crate::Result<()> {
    print_line(&serde_json::to_string_pretty(value)?)
}

/// Prints a value as one line of json on stdout.
pub fn print_json_line<T: Serialize>(value: &T) -> crate::Result<()> {
    print_line(&serde_json::to_string(value)?)
}

/// A new table in the house style. On a terminal it fits the terminal's width (with or
/// without colour); in a pipe it keeps its natural width. Colour only where `color` says.
pub fn table(header: &[&str], color: bool) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        t.force_no_tty();
    }
    if color {
        t.enforce_styling();
    }
    t.set_header(header.iter().map(Cell::new));
    t
}

/// A key's status as a cell: green active, yellow expiring soon or rotating, red otherwise.
pub fn status_cell(k: &KeyRecord, now: i64, color: bool) -> Cell {
    use crate::model::Status;
    let st = k.status(now);
    let soon = k.expiring_soon(now);
    let c = Cell::new(status_text(k, now));
    if !color {
        return c;
    }
    c.fg(match st {
        Status::Active if !soon => Color::Green,
        Status::Active | Status::Rotating => Color::Yellow,
        Status::Expired | Status::Inactive => Color::Red,
    })
}

/// A key's status in words, marked when it expires within seven days.
fn status_text(k: &KeyRecord, now: i64) -> String {
    let st = k.status(now).as_str();
    if k.expiring_soon(now) {
        format!("{st} (expiring)")
    } else {
        st.to_string()
    }
}

fn opt_time(t: Option<i64>, none: &str) -> String {
    t.map_or_else(|| none.to_string(), time)
}

fn joined(list: &[String]) -> String {
    sanitize(&list.join(", "))
}

/// The columns of `list`.
const KEY_COLUMNS: [&str; 11] = [
    "name",
    "id",
    "key",
    "status",
    "created",
    "expires",
    "last used",
    "created by",
    "groups",
    "scopes",
    "allowed IPs",
];
/// Columns given up, in this order, when a terminal is too narrow for all of them.
const GIVE_WAY: [usize; 6] = [10, 7, 6, 4, 8, 9];

/// The `list` table, and the names of the columns hidden to fit the terminal.
pub fn keys_table(keys: &[KeyRecord], now: i64, color: bool) -> (Table, Vec<&'static str>) {
    let rows: Vec<[String; 11]> = keys
        .iter()
        .map(|k| {
            [
                sanitize(&k.name),
                k.id.clone(),
                k.masked(),
                status_text(k, now),
                time(k.created_at),
                opt_time(k.expires_at, "never"),
                opt_time(k.last_used_at, "-"),
                sanitize(&k.created_by),
                joined(&k.groups),
                joined(&k.scopes),
                joined(&k.allowed_ips),
            ]
        })
        .collect();
    let mut t = table(&KEY_COLUMNS, color);
    let mut hidden = Vec::new();
    if let Some(width) = t.width() {
        // Natural width: each column's widest cell plus padding and a border.
        let natural: Vec<usize> = (0..KEY_COLUMNS.len())
            .map(|c| {
                rows.iter()
                    .map(|r| r[c].chars().count())
                    .chain([KEY_COLUMNS[c].len()])
                    .max()
                    .unwrap_or(0)
                    + 3
            })
            .collect();
        let mut total: usize = natural.iter().sum::<usize>() + 1;
        for &c in &GIVE_WAY {
            if total <= usize::from(width) {
                break;
            }
            total -= natural[c];
            hidden.push(c);
        }
    }
    for (k, row) in keys.iter().zip(rows) {
        let mut cells: Vec<Cell> = row.into_iter().map(Cell::new).collect();
        cells[3] = status_cell(k, now, color);
        t.add_row(cells);
    }
    for (i, col) in t.column_iter_mut().enumerate() {
        if hidden.contains(&i) {
            col.set_constraint(comfy_table::ColumnConstraint::Hidden);
        } else if i == 1 || i == 2 {
            // Identifiers are copied by hand: they never wrap; other columns give way.
            col.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
    (t, hidden.into_iter().map(|c| KEY_COLUMNS[c]).collect())
}

fn csv_field(s: &str) -> String {
    let s = sanitize(s);
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(['=', '+', '-', '@']) {
        // Quoted, and formula-leading text kept inert for spreadsheets.
        let inner = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s
        };
        format!("\"{}\"", inner.replace('"', "\"\""))
    } else {
        s
    }
}

/// The header row of `list --format csv`.
pub const CSV_HEADER: &str = "id,name,key,status,created_at,created_by,expires_at,last_used_at,use_count,description,scopes,groups,allowed_ips";

/// One key as a csv row (lists joined with `;`), without the newline.
pub fn csv_row(k: &KeyRecord, now: i64) -> String {
    let row = [
        k.id.clone(),
        k.name.clone(),
        k.masked(),
        k.status(now).as_str().to_string(),
        rfc3339(k.created_at),
        k.created_by.clone(),
        k.expires_at.map(rfc3339).unwrap_or_default(),
        k.last_used_at.map(rfc3339).unwrap_or_default(),
        k.use_count.to_string(),
        k.description.clone(),
        k.scopes.join(";"),
        k.groups.join(";"),
        k.allowed_ips.join(";"),
    ];
    row.iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",")
}

/// The audit trail as a table.
pub fn audit_table(events: &[AuditEvent], color: bool) -> Table {
    let mut t = table(&["time", "actor", "action", "key", "details"], color);
    for e in events {
        let key = match (&e.key_name, &e.key_id) {
            (Some(n), Some(id)) => format!("{} ({id})", sanitize(n)),
            (None, Some(id)) => id.clone(),
            _ => "-".into(),
        };
        t.add_row(vec![
            Cell::new(time(e.at)),
            Cell::new(sanitize(&e.actor)),
            Cell::new(&e.action),
            Cell::new(key),
            Cell::new(sanitize(&e.details)),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_defuses_escape_sequences() {
        assert_eq!(sanitize("plain 'quoted' \"x\""), "plain 'quoted' \"x\"");
        let s = sanitize("red\x1b[31m\u{9b}2J\n");
        assert!(!s.chars().any(char::is_control), "{s:?}");
        assert!(s.contains("\\u{1b}[31m"));
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(time(86_400 + 61), "1970-01-02 00:01Z");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "\"'=cmd()\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
