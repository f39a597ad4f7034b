//! How results reach people and scripts: tables (comfy-table), json and csv, and safe text.

use crate::model::KeyRecord;
use crate::store::queries::AuditEvent;
use crate::text::{rfc3339, sanitize, ser_opt_time, ser_time, time};
use comfy_table::{Cell, Color, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

mod pipe;
pub use pipe::{
    SIGPIPE_EXIT, closed_pipe_exit, gate, gate_verdict, print_json, print_json_line, print_line,
    quiet_pipe, stdout_err,
};

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
    pub owner: Option<String>,
    pub meta: std::collections::BTreeMap<String, String>,
    /// Uses left; null for no limit.
    pub remaining: Option<i64>,
    /// Rate limits, "N/DUR".
    pub rates: Vec<String>,
    /// The refill, "N/DUR", or null.
    pub refill: Option<String>,
    /// When the uses are next set back (RFC 3339), for a key with a refill.
    #[serde(serialize_with = "ser_opt_time")]
    pub refills_at: Option<i64>,
    /// The client address of the latest recorded use.
    pub last_used_ip: Option<String>,
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
            owner: k.owner.clone(),
            meta: k.meta.clone(),
            remaining: crate::engine::limits::refreshed(&k.limits(), &k.limit_state(), now * 1000)
                .0,
            rates: k.rates.iter().map(ToString::to_string).collect(),
            refill: k.refill.map(|r| r.to_string()),
            refills_at: k
                .refill
                .filter(|_| k.remaining.is_some())
                .map(|r| r.next_at(k.created_at, now)),
            last_used_ip: k.last_used_ip.clone(),
        }
    }
}

/// A new table in the house style. On a terminal it fits the terminal's width (`COLUMNS` when
/// set, as the charts read it; 80 on a terminal that says it has no size, such as `script`'s
/// or an editor's); in a pipe it keeps its natural width. Colour only where `color` says.
pub fn table(header: &[&str], color: bool) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        t.set_width(u16::try_from(super::chart::width()).unwrap_or(u16::MAX));
    } else {
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
    coloured_status(k, now, status_text(k, now), color)
}

/// `text` in the colour of `k`'s status.
fn coloured_status(k: &KeyRecord, now: i64, text: String, color: bool) -> Cell {
    use crate::model::Status;
    let st = k.status(now);
    let soon = k.expiring_soon(now);
    let c = Cell::new(text);
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

/// How many columns `list` has.
const NCOLS: usize = 13;
/// The columns of `list`. Scopes are the effective ones: the key's own, then its groups'.
const KEY_COLUMNS: [&str; NCOLS] = [
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
    "owner",
    "uses left",
];
/// Columns given up, in this order, when a terminal is too narrow for all of them: first the
/// key (it repeats the id), then what `show` tells anyway; name, id, status and expiry stay.
const GIVE_WAY: [usize; 9] = [2, 7, 11, 8, 10, 12, 9, 4, 6];
/// Columns that may wrap (lists); every other column keeps its content on one line, so a
/// date or an id is never split.
const WRAPS: [bool; NCOLS] = [
    false, false, false, false, false, false, false, false, true, true, true, true, false,
];
/// The narrowest a wrapping column is allowed to become.
const MIN_WRAP: usize = 14;
/// Names longer than this are cut with `…` on a terminal too narrow for the whole table.
const NAME_CUT: usize = 20;
/// The shortest a name is cut to on a very narrow terminal.
const NAME_MIN: usize = 8;

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// The `list` table, and the names of the columns hidden to fit the terminal.
/// The column of `list` a slug names (`last_used` for "last used", …).
pub fn key_column(slug: &str) -> Option<usize> {
    let want = slug.trim().to_lowercase().replace(['_', '-'], " ");
    let want = match want.as_str() {
        "ips" | "allowed ip" => "allowed ips".to_string(),
        "uses" | "remaining" => "uses left".to_string(),
        other => other.to_string(),
    };
    KEY_COLUMNS.iter().position(|c| c.to_lowercase() == want)
}

/// The slugs `list --columns` takes, in the table's order.
pub fn key_column_slugs() -> Vec<String> {
    KEY_COLUMNS
        .iter()
        .map(|c| c.to_lowercase().replace(' ', "_"))
        .collect()
}

pub fn keys_table(
    keys: &[KeyRecord],
    groups: &std::collections::BTreeMap<String, Vec<String>>,
    now: i64,
    color: bool,
    only: Option<&[usize]>,
) -> (Table, Vec<&'static str>) {
    // Columns left out on purpose (`--columns`): never shown, never counted for the width.
    let left_out: Vec<usize> = only.map_or_else(Vec::new, |o| {
        (0..NCOLS).filter(|c| !o.contains(c)).collect()
    });
    let mut rows: Vec<[String; NCOLS]> = keys
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
                joined(&crate::store::queries::effective_scopes(
                    k.scopes.as_slice(),
                    &k.groups,
                    groups,
                )),
                joined(&k.allowed_ips),
                k.owner.as_deref().map_or_else(|| "-".into(), sanitize),
                k.remaining.map_or_else(|| "-".into(), |n| n.to_string()),
            ]
        })
        .collect();
    let mut t = table(&KEY_COLUMNS, color);
    let mut hidden = Vec::new();
    if let Some(width) = t.width() {
        let width = usize::from(width);
        // Each column's widest cell plus padding and a border; lists may shrink to MIN_WRAP.
        let need = |rows: &[[String; NCOLS]], c: usize| {
            let natural = rows
                .iter()
                .map(|r| r[c].chars().count())
                .chain([KEY_COLUMNS[c].len()])
                .max()
                .unwrap_or(0);
            (if WRAPS[c] {
                natural.min(MIN_WRAP)
            } else {
                natural
            }) + 3
        };
        let natural_total: usize = (0..NCOLS)
            .filter(|c| !left_out.contains(c))
            .map(|c| need(&rows, c))
            .sum::<usize>()
            + 1;
        if natural_total > width {
            for r in &mut rows {
                r[0] = cut(&r[0], NAME_CUT);
            }
        }
        let mut total: usize = (0..NCOLS)
            .filter(|c| !left_out.contains(c))
            .map(|c| need(&rows, c))
            .sum::<usize>()
            + 1;
        for &c in &GIVE_WAY {
            if total <= width {
                break;
            }
            if left_out.contains(&c) {
                continue;
            }
            total -= need(&rows, c);
            hidden.push(c);
        }
        // Still too wide with only name, id, status and expiry: the expiry loses its time of
        // day, "active (expiring)" becomes "expiring", and the name gets what is left (never
        // under NAME_MIN characters, so a table too narrow for that still overflows).
        let shown = |rows: &[[String; NCOLS]], hidden: &[usize]| {
            (0..NCOLS)
                .filter(|c| !hidden.contains(c) && !left_out.contains(c))
                .map(|c| need(rows, c))
                .sum::<usize>()
                + 1
        };
        if shown(&rows, &hidden) > width {
            for r in &mut rows {
                if let Some(day) = r[5].split(' ').next().filter(|d| d.len() == 10) {
                    r[5] = day.to_string();
                }
                if r[3].ends_with(" (expiring)") {
                    r[3] = "expiring".into();
                }
            }
            let over = shown(&rows, &hidden).saturating_sub(width);
            let name_now = need(&rows, 0) - 3;
            let name_max = name_now.saturating_sub(over).max(NAME_MIN);
            for r in &mut rows {
                r[0] = cut(&r[0], name_max);
            }
        }
    }
    for (k, row) in keys.iter().zip(rows) {
        let mut cells: Vec<Cell> = row.iter().cloned().map(Cell::new).collect();
        cells[3] = coloured_status(k, now, row[3].clone(), color);
        t.add_row(cells);
    }
    for (i, col) in t.column_iter_mut().enumerate() {
        if hidden.contains(&i) || left_out.contains(&i) {
            col.set_constraint(comfy_table::ColumnConstraint::Hidden);
        } else if !WRAPS[i] {
            col.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
    hidden.sort_unstable();
    (t, hidden.into_iter().map(|c| KEY_COLUMNS[c]).collect())
}

/// `text` broken into lines of at most `width` characters, between words (a word longer
/// than the line stands alone on its line).
pub fn wrap_words(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ') {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += n;
    }
    out
}

pub fn csv_field(s: &str) -> String {
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
pub const CSV_HEADER: &str = "id,name,key,status,created_at,created_by,expires_at,last_used_at,use_count,description,scopes,groups,allowed_ips,owner,remaining,rates,refill";

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
        k.owner.clone().unwrap_or_default(),
        k.remaining.map(|r| r.to_string()).unwrap_or_default(),
        k.rates
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(";"),
        k.refill.map(|r| r.to_string()).unwrap_or_default(),
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
