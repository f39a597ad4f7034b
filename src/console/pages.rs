//! The console's pages: server-rendered HTML (maud: checked at compile time, every value
//! escaped), charts drawn as SVG here, no script but the console's own Copy button.

use crate::history::query::Row;
use crate::model::KeyRecord;
use crate::store::queries::AuditEvent;
use maud::{DOCTYPE, Markup, html};

/// The page around every page: the menu, the title, the content.
pub fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · apikeys" }
                link rel="stylesheet" href="/static/console.css";
            }
            body {
                nav aria-label="Main" {
                    a href="/keys" { "Keys" }
                    a href="/keys/new" { "Add key" }
                    a href="/groups" { "Groups" }
                    a href="/policy" { "Policy" }
                    a href="/log" { "Audit log" }
                    a href="/status" { "Status" }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A message page (an error, a refusal, a session that ended).
pub fn message(title: &str, text: &str) -> Markup {
    layout(title, html! { p.message { (text) } })
}

pub fn time(t: Option<i64>) -> String {
    t.map_or_else(|| "-".into(), crate::text::time)
}

/// What the keys table is asked for.
#[derive(Debug, Default)]
pub struct KeysQuery {
    pub q: String,
    /// One of [`STATUSES`] ("": any).
    pub status: String,
    pub owner: String,
    pub group: String,
    pub sort: String,
    pub page: usize,
}

/// The status filter's choices: any, each status, and expiring soon.
pub const STATUSES: [&str; 6] = ["", "active", "inactive", "expired", "rotating", "expiring"];

/// The keys table: search, filters, sorting, pages.
pub fn keys(keys: &[&KeyRecord], total: usize, q: &KeysQuery, now: i64, pages: usize) -> Markup {
    let link = |page: usize| {
        format!(
            "/keys?q={}&status={}&owner={}&group={}&sort={}&page={page}",
            enc(&q.q),
            enc(&q.status),
            enc(&q.owner),
            enc(&q.group),
            enc(&q.sort)
        )
    };
    layout(
        "Keys",
        html! {
            form.filters method="get" action="/keys" role="search" {
                label { "Search " input type="search" name="q" value=(q.q); }
                label { "Status "
                    select name="status" {
                        @for s in STATUSES {
                            option value=(s) selected[q.status == s] { (if s.is_empty() { "any" } else { s }) }
                        }
                    }
                }
                label { "Owner " input type="text" name="owner" value=(q.owner); }
                label { "Group " input type="text" name="group" value=(q.group); }
                label { "Sort "
                    select name="sort" {
                        @for s in ["name", "created", "expires", "last_used"] {
                            option value=(s) selected[q.sort == s] { (s) }
                        }
                    }
                }
                button type="submit" { "Show" }
            }
            @if !STATUSES.contains(&q.status.as_str()) {
                p.error role="alert" {
                    (crate::token::mask_all(&format!("no status {:?}: choose one from the list", crate::text::sanitize(&q.status))))
                }
            }
            p { (crate::text::count(total, "key")) @if pages > 1 { ", page " (q.page + 1) " of " (pages) } }
            div.scroll {
                table #keys {
                    thead { tr {
                        th scope="col" { "Name" } th scope="col" { "Key" } th scope="col" { "Status" }
                        th scope="col" { "Created" } th scope="col" { "Expires" } th scope="col" { "Last used" }
                        th scope="col" { "Created by" } th scope="col" { "Owner" } th scope="col" { "Groups" }
                    } }
                    tbody {
                        @for k in keys {
                            tr data-key-id=(k.id) {
                                td { a href=(format!("/keys/{}", k.id)) { (k.name) } }
                                td.mono { (k.masked()) }
                                td { (status_badge(k, now)) }
                                td { (time(Some(k.created_at))) }
                                td { (time(k.expires_at)) }
                                td { (time(k.last_used_at)) }
                                td { (k.created_by) }
                                td { (k.owner.as_deref().unwrap_or("-")) }
                                td { (k.groups.join(", ")) }
                            }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pages aria-label="Pages" {
                    @if q.page > 0 { a href=(link(q.page - 1)) { "Previous" } }
                    @if q.page + 1 < pages { a href=(link(q.page + 1)) { "Next" } }
                }
            }
            script src="/static/search.js" {}
        },
    )
}

fn status_badge(k: &KeyRecord, now: i64) -> Markup {
    let s = k.status(now).as_str();
    html! {
        span class=(format!("status {s}")) { (s) }
        @if k.expiring_soon(now) { " " span.status.expiring { "expiring soon" } }
    }
}

/// A form that posts `fields` to `action` with the session's CSRF token (every POST needs it).
fn post_form(action: &str, csrf: &str, fields: Markup) -> Markup {
    html! {
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            (fields)
        }
    }
}

/// The groups page: each group with its scopes and members, a form to change its scopes and
/// one to delete it (its name typed to confirm), and a form to add a group; `error` at the top
/// when the last change was refused.
pub fn groups(groups: &[(String, Vec<String>, usize)], csrf: &str, error: Option<&str>) -> Markup {
    layout(
        "Groups",
        html! {
            @if let Some(e) = error { p.error role="alert" { (e) } }
            @if groups.is_empty() { p { "No groups yet." } } @else {
                div.scroll { table #groups {
                    thead { tr { th scope="col" { "Group" } th scope="col" { "Scopes" } th scope="col" { "Keys" }
                        th scope="col" { "Change scopes" } th scope="col" { "Delete" } } }
                    tbody { @for (g, scopes, keys) in groups { tr data-group=(g) {
                        td { (g) } td { (scopes.join(", ")) } td { (keys) }
                        td { (post_form("/groups", csrf, html! {
                            input type="hidden" name="name" value=(g);
                            label { "Add " input type="text" name="add_scope" size="12"; }
                            " " label { "Remove " input type="text" name="remove_scope" size="12"; }
                            " " button type="submit" name="action" value="edit" { "Change" }
                        })) }
                        td { (post_form("/groups", csrf, html! {
                            input type="hidden" name="name" value=(g);
                            label { "Type its name " input type="text" name="confirm_name" size="10"; }
                            " " button type="submit" name="action" value="delete" { "Delete" }
                        })) }
                    } } }
                } }
            }
            h2 { "Add a group" }
            (post_form("/groups", csrf, html! {
                p { label for="group-name" { "Name" } br; input type="text" id="group-name" name="name"; }
                p { label for="group-scope" { "Scopes" } br; input type="text" id="group-scope" name="scope";
                    br; small { "comma-separated, e.g. deploy:read, deploy:write" } }
                button type="submit" name="action" value="create" { "Add group" }
            }))
        },
    )
}

/// The policy page: the rules, each with a form to set it (the values `apikeys policy set`
/// takes), and how many keys lie beyond the max lifetime.
pub fn policy(
    p: &crate::policy::Policy,
    beyond: usize,
    history_days: i64,
    csrf: &str,
    error: Option<&str>,
) -> Markup {
    use crate::policy::format_duration;
    let max = p.max_lifetime.map_or("none".into(), format_duration);
    let default = format_duration(p.default_lifetime);
    let rule = |name: &str, label: &str, value: &str, hint: &str| {
        post_form(
            "/policy",
            csrf,
            html! {
                p { label for=(name) { (label) } br;
                    input type="text" id=(name) name=(name) value=(value) size="10";
                    " " button type="submit" name="action" value=(name) { "Set" }
                    br; small { (hint) } }
            },
        )
    };
    layout(
        "Policy",
        html! {
            @if let Some(e) = error { p.error role="alert" { (e) } }
            (rule("max_lifetime", "Max lifetime", &max, "the longest a key may live from its creation: 90d, 1y, or none"))
            @if beyond > 0 {
                p #beyond { (crate::text::keys_expire(beyond)) " beyond the max lifetime: they keep their expiry (shorten it on the key's page)" }
            }
            (rule("default_lifetime", "Default lifetime", &default, "a new key's lifetime when none is given; at most the max"))
            (rule("history_days", "History kept (days)", &history_days.to_string(), "answers per key are kept this many days, 1 to 730"))
        },
    )
}

/// The add-key form; when the last try was refused, its error beside the field it was refused
/// for (at the top when it takes more than one), and what was typed kept.
pub fn new_key(
    csrf: &str,
    error: Option<(&str, Option<&str>)>,
    given: &[(String, String)],
) -> Markup {
    let at = |name: &str| error.and_then(|(e, f)| (f == Some(name)).then_some(e));
    let beside = |name: &str| {
        html! {
            @if let Some(e) = at(name) { br; span.error id=(format!("{name}-error")) role="alert" { (e) } }
        }
    };
    let described = |name: &str| {
        if at(name).is_some() {
            format!("{name}-help {name}-error")
        } else {
            format!("{name}-help")
        }
    };
    let v = |name: &str| {
        given
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let field = |name: &str, label: &str, help: &str| {
        html! {
            p { label for=(name) { (label) } br;
                input type="text" id=(name) name=(name) value=(v(name)) aria-describedby=(described(name))
                    aria-invalid=[at(name).map(|_| "true")];
                br; small id=(format!("{name}-help")) { (help) }
                (beside(name)) }
        }
    };
    layout(
        "Add key",
        html! {
            @if let Some((e, None)) = error { p.error role="alert" { (e) } }
            (post_form("/keys", csrf, html! {
                p { label for="name" { "Name" } br;
                    input type="text" id="name" name="name" required value=(v("name")) aria-invalid=[at("name").map(|_| "true")];
                    (beside("name")) }
                p { label for="expires" { "Expires" } br;
                    select id="expires" name="expires" {
                        @for e in ["1y", "1h", "12h", "1d", "5d", "30d", "90d"] {
                            option value=(e) selected[v("expires") == e] { (e) }
                        }
                    }
                    small { " or a date below" }
                    (beside("expires")) }
                (field("expires_at", "Expiry date (YYYY-MM-DD, overrides the preset)", "leave empty for the preset"))
                (field("scope", "Scopes", "comma-separated, e.g. deploy:write, read"))
                (field("group", "Groups", "comma-separated group names"))
                (field("allow_ip", "Allowed IPs", "comma-separated addresses or networks; empty: any"))
                (field("owner", "Owner", "who the key belongs to"))
                (field("meta", "Metadata", "comma-separated key=value pairs"))
                (field("uses", "Uses", "how many uses; empty: no limit"))
                (field("refill", "Refill", "N/DUR, e.g. 1000/30d"))
                (field("rate", "Rates", "comma-separated N/DUR, e.g. 10/1s"))
                button type="submit" name="action" value="create" { "Create key" }
            }))
        },
    )
}

/// The new token, shown once: the answer to the POST itself (so that Back never brings it
/// back), with Copy and "I have stored the key in a safe place".
pub fn shown_once(k: &KeyRecord, token: &str) -> Markup {
    layout(
        "Your new key",
        html! {
            p { "This token is shown once. Store it now: apikeys keeps only a keyed hash." }
            dl.fields {
                dt { "Name" } dd { (k.name) }
                dt { "Identifier" } dd #key-id.mono { (k.id) }
                dt { "Token" } dd { code #token { (token) } }
            }
            button type="button" #copy data-target="token" { "Copy to clipboard" }
            span #copied role="status" {}
            form method="get" action="/keys" {
                p { input type="checkbox" id="stored" name="stored" required;
                    label for="stored" { " I have stored the key in a safe place" } }
                button type="submit" { "Done" }
            }
            script src="/static/copy.js" {}
        },
    )
}

/// A key's page: every field, its chart, refused attempts, events, and its actions.
pub struct KeyPage<'a> {
    pub k: &'a KeyRecord,
    pub now: i64,
    pub csrf: &'a str,
    pub rows: &'a [Row],
    pub since: i64,
    pub refused: &'a [(i64, String, Option<String>)],
    pub events: &'a [AuditEvent],
    pub error: Option<&'a str>,
}

/// An add and a remove field of the edit form for one list (`add_scope` and `remove_scope`,
/// `allow_ip` and `remove_ip`), each named after its `apikeys edit` flag.
fn pair(add: (&str, &str), remove: (&str, &str)) -> Markup {
    html! {
        p { label for=(format!("edit-{}", add.0)) { (add.1) } br;
            input type="text" id=(format!("edit-{}", add.0)) name=(add.0) value="";
            " " label for=(format!("edit-{}", remove.0)) { (remove.1) } " "
            input type="text" id=(format!("edit-{}", remove.0)) name=(remove.0) value=""; }
    }
}

pub fn key_page(p: &KeyPage<'_>) -> Markup {
    let k = p.k;
    let action = format!("/keys/{}", k.id);
    let text: Vec<(&str, String)> = vec![
        ("Created", time(Some(k.created_at))),
        ("Created by", k.created_by.clone()),
        ("Expires", time(k.expires_at)),
        ("Last used", time(k.last_used_at)),
        (
            "Last used from",
            k.last_used_ip.clone().unwrap_or("-".into()),
        ),
        ("Use count", k.use_count.to_string()),
        (
            "Uses left",
            k.remaining.map_or("no limit".into(), |r| r.to_string()),
        ),
        ("Owner", k.owner.clone().unwrap_or("-".into())),
        ("Scopes", k.scopes.join(", ")),
        ("Groups", k.groups.join(", ")),
        (
            "Allowed IPs",
            if k.allowed_ips.is_empty() {
                "any".into()
            } else {
                k.allowed_ips.join(", ")
            },
        ),
        (
            "Metadata",
            k.meta
                .iter()
                .map(|(a, b)| format!("{a}={b}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("Description", k.description.clone()),
        ("Rotated from", k.rotated_from.clone().unwrap_or("-".into())),
        ("Rotated to", k.rotated_to.clone().unwrap_or("-".into())),
    ];
    layout(
        &k.name,
        html! {
            @if let Some(e) = p.error { p.error role="alert" { (e) } }
            dl.fields {
                dt { "Identifier" } dd.mono { (k.id) }
                dt { "Key" } dd.mono { (k.masked()) }
                dt { "Status" } dd { (status_badge(k, p.now)) }
                @for (f, v) in &text { dt { (f) } dd { (v) } }
            }
            h2 { "Answers, last 48 hours" }
            (chart(p.rows, p.since, p.now))
            h2 { "Last refused attempts" }
            @if p.refused.is_empty() { p { "none" } } @else {
                div.scroll { table #refused { thead { tr { th { "At" } th { "Code" } th { "From" } } }
                    tbody { @for (at, code, ip) in p.refused {
                        tr { td { (time(Some(*at))) } td { (code) } td { (ip.as_deref().unwrap_or("-")) } } } } } }
            }
            h2 { "Actions" }
            (post_form(&action, p.csrf, html! {
                @if k.revoked {
                    button type="submit" name="action" value="activate" { "Activate" }
                } @else {
                    button type="submit" name="action" value="revoke" { "Deactivate" }
                }
            }))
            (post_form(&action, p.csrf, html! {
                p { label for="grace" { "Grace period for the old token" } br;
                    input type="text" id="grace" name="grace" value="1h"; }
                button type="submit" name="action" value="rotate" { "Rotate" }
            }))
            h3 { "Edit" }
            (post_form(&action, p.csrf, html! {
                // What the boxes showed: a box left as it was changes nothing (see as_shown).
                input type="hidden" name="shown_name" value=(k.name);
                input type="hidden" name="shown_owner" value=(k.owner.as_deref().unwrap_or(""));
                input type="hidden" name="shown_description" value=(k.description);
                p { label for="edit-name" { "Name" } br;
                    input type="text" id="edit-name" name="name" value=(k.name); }
                p { label for="edit-owner" { "Owner (empty: none)" } br;
                    input type="text" id="edit-owner" name="owner" value=(k.owner.as_deref().unwrap_or("")); }
                p { label for="edit-description" { "Description" } br;
                    input type="text" id="edit-description" name="description" value=(k.description); }
                p { label for="edit-expires" { "New expiry (a duration from now or a date; empty: unchanged)" } br;
                    input type="text" id="edit-expires" name="expires" value=""; }
                (pair(("add_scope", "Add scopes (comma-separated, e.g. deploy:write)"), ("remove_scope", "Remove")))
                (pair(("add_group", "Add groups (comma-separated, e.g. deployers)"), ("remove_group", "Remove")))
                (pair(("allow_ip", "Allow addresses or networks (comma-separated)"), ("remove_ip", "Stop allowing")))
                (pair(("meta", "Set metadata (key=value, comma-separated)"), ("remove_meta", "Remove keys")))
                p { label for="edit-uses" { "Uses left (a number, or none; empty: unchanged)" } br;
                    input type="text" id="edit-uses" name="uses" value=""; }
                p { label for="edit-rate" { "Rates (N/DUR, comma-separated, or none; empty: unchanged)" } br;
                    input type="text" id="edit-rate" name="rate" value=""; }
                p { label for="edit-refill" { "Refill (N/DUR, or none; empty: unchanged)" } br;
                    input type="text" id="edit-refill" name="refill" value=""; }
                button type="submit" name="action" value="edit" { "Save" }
            }))
            (post_form(&action, p.csrf, html! {
                p { label for="confirm_name" { "Type the key's name to delete it for good" } br;
                    input type="text" id="confirm_name" name="confirm_name" autocomplete="off"; }
                button type="submit" name="action" value="delete" { "Delete" }
            }))
            h2 { "Events" }
            (events_table(p.events))
        },
    )
}

/// The audit events as a table.
pub fn events_table(events: &[AuditEvent]) -> Markup {
    html! {
        div.scroll { table #events {
            thead { tr { th { "Time" } th { "Admin" } th { "Action" } th { "Key" } th { "Details" } } }
            tbody { @for e in events.iter().rev() {
                tr { td.when { (time(Some(e.at))) } td { (e.actor) } td { (e.action) }
                     td { (e.key_name.as_deref().unwrap_or("-")) } td.details { (e.details) } }
            } }
        } }
    }
}

/// Colour of an outcome in the charts.
fn colour(outcome: &str) -> &'static str {
    match outcome {
        "valid" => "#2e7d32",
        "unknown" | "malformed" => "#8e24aa",
        "inactive" | "expired" => "#c62828",
        "ip_denied" | "scope_denied" => "#ef6c00",
        "rate_limited" => "#1565c0",
        "usage_exceeded" => "#6d4c41",
        _ => "#757575",
    }
}

/// Answers per hour as stacked SVG bars over the last 48 hours: a scale on the left (0 and
/// the busiest hour), the hours along the bottom (every 12th, with the date at midnight), and
/// a legend of the outcomes with their totals, which is also the text for screen readers.
pub fn chart(rows: &[Row], since: i64, now: i64) -> Markup {
    // The plot's place in the drawing: room on the left for the scale, below for the hours.
    const LEFT: i64 = 40;
    const TOP: i64 = 8;
    const PLOT: i64 = 110;
    const BAR: i64 = 10;
    let start = since - since.rem_euclid(3600);
    let hours = usize::try_from((now - start) / 3600 + 1)
        .unwrap_or(1)
        .clamp(1, 48);
    let mut per: Vec<Vec<(&str, i64)>> = vec![vec![]; hours];
    let mut totals: std::collections::BTreeMap<&str, i64> = Default::default();
    for r in rows {
        if let Some(slot) = usize::try_from((r.bucket - start) / 3600)
            .ok()
            .and_then(|i| per.get_mut(i))
        {
            slot.push((r.outcome.as_str(), r.count));
            *totals.entry(r.outcome.as_str()).or_insert(0) += r.count;
        }
    }
    let max = per
        .iter()
        .map(|v| v.iter().map(|x| x.1).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let base = TOP + PLOT;
    let right = LEFT + hours as i64 * BAR;
    let (w, h) = (right + 8, base + 24);
    // Each bar: (x, y, height, colour, title), stacked from the bottom.
    let mut bars = Vec::new();
    for (i, stack) in per.iter().enumerate() {
        let mut y = base;
        for (o, n) in stack {
            let bar = (n * PLOT / max).max(1);
            y -= bar;
            bars.push((
                LEFT + i as i64 * BAR + 1,
                y,
                bar,
                colour(o),
                format!("{o}: {n}"),
            ));
        }
    }
    // Hour marks: every 12th hour of the day (UTC), the date under midnight's.
    let marks: Vec<(i64, String)> = (0..hours)
        .filter_map(|i| {
            let at = start + i as i64 * 3600;
            let hour = at.div_euclid(3600).rem_euclid(24);
            (hour % 12 == 0).then(|| {
                let stamp = crate::text::rfc3339(at);
                let label = if hour == 0 {
                    stamp.get(5..10).unwrap_or("").to_string()
                } else {
                    stamp.get(11..16).unwrap_or("").to_string()
                };
                (LEFT + i as i64 * BAR, label)
            })
        })
        .collect();
    let summary = if totals.is_empty() {
        "no answers in the last 48 hours".to_string()
    } else {
        totals
            .iter()
            .map(|(o, n)| format!("{o} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    html! {
        figure {
            svg #chart xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {w} {h}")) role="img" aria-label=(format!("Answers per hour, UTC: {summary}")) {
                line x1=(LEFT) y1=(TOP) x2=(right) y2=(TOP) stroke="#ddd" stroke-dasharray="3 3" {}
                text x=(LEFT - 4) y=(TOP + 3) font-size="9" fill="#555" text-anchor="end" { (max) }
                text x=(LEFT - 4) y=(base) font-size="9" fill="#555" text-anchor="end" { "0" }
                @for (x, y, height, fill, title) in &bars {
                    rect x=(x) y=(y) width=(BAR - 2) height=(height) fill=(fill) { title { (title) } }
                }
                line x1=(LEFT) y1=(base) x2=(right) y2=(base) stroke="#555" {}
                @for (x, label) in &marks {
                    line x1=(x) y1=(base) x2=(x) y2=(base + 4) stroke="#555" {}
                    text x=(x) y=(base + 15) font-size="9" fill="#555" text-anchor="middle" { (label) }
                }
            }
            figcaption {
                @if totals.is_empty() { (summary) } @else {
                    @for (o, n) in &totals {
                        span.legend {
                            svg.swatch xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" aria-hidden="true" {
                                rect width="10" height="10" fill=(colour(o)) {}
                            }
                            (o) " " (n)
                        }
                    }
                    " (per hour, UTC)"
                }
            }
        }
    }
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    crate::text::percent_encode(s, b"-_.~")
}

/// The console's stylesheet: readable at 360 px and at 200 % zoom.
pub const CSS: &str = "body{font-family:system-ui,sans-serif;margin:0;line-height:1.4}\
body>nav{display:flex;flex-wrap:wrap;gap:.8em;padding:.6em 1em;background:#1f2937}body>nav a{color:#fff}\
main{padding:1em;max-width:80em}table{border-collapse:collapse;width:100%}\
th,td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}\
.scroll{overflow-x:auto}.mono,code{font-family:ui-monospace,monospace;word-break:break-all}\
.status{padding:0 .4em;border-radius:.3em;background:#eee;white-space:nowrap}td.mono{white-space:nowrap}.active{background:#c8e6c9}\
.inactive,.expired{background:#ffcdd2}.rotating{background:#fff3c4}.expiring{background:#ffe0b2}\
.error{color:#b71c1c;font-weight:bold}[aria-invalid=true]{border:2px solid #b71c1c}form{margin:.8em 0}td form{margin:0}.filters label{margin-right:.6em}\
input,select,button{font-size:1em;max-width:100%}#chart{width:100%;max-width:60em;height:auto}.swatch{width:.8em;height:.8em;vertical-align:middle;margin-right:.3em}.legend{margin-right:1em;white-space:nowrap}\
dl.fields{display:grid;grid-template-columns:minmax(8em,max-content) 1fr;gap:.2em 1em}\
dd{margin:0;overflow-wrap:anywhere;min-width:0}td{overflow-wrap:break-word}td.details{overflow-wrap:anywhere}td.when{white-space:nowrap}#token{font-size:1.1em;display:inline-block;padding:.3em .5em;background:#f3f4f6;border:1px solid #d1d5db;border-radius:.3em}.pages{margin:.8em 0}.pages a{margin-right:1em}";

/// The keys page's search: a pasted token is sent as its key id, so that the secret never
/// reaches a URL (the address bar, the history); the server looks such a search up by id too.
pub const SEARCH_JS: &str = "document.querySelectorAll('form.filters').forEach(function(f){\
f.addEventListener('submit',function(){var q=f.elements['q'];\
var m=/^\\s*[a-z][a-z0-9]{0,15}_([A-Za-z0-9]{12})_[A-Za-z0-9]{16,}\\s*$/.exec(q.value);\
if(m){q.value=m[1];}});});";

/// The Copy button.
pub const COPY_JS: &str = "document.getElementById('copy').addEventListener('click',function(){\
var t=document.getElementById(this.dataset.target).textContent;\
navigator.clipboard.writeText(t).then(function(){document.getElementById('copied').textContent='Copied';},\
function(){document.getElementById('copied').textContent='Copy failed: select the token and copy it';});});";

#[cfg(test)]
mod tests {
    use super::*;

    fn row(bucket: i64, outcome: &str, count: i64) -> Row {
        Row {
            bucket,
            key_id: "k".into(),
            outcome: outcome.into(),
            count,
            cost: count,
        }
    }

    #[test]
    fn the_chart_has_a_scale_hour_marks_and_a_legend() {
        // 2026-12-05T13:30:00Z; the window is its hour and the 47 before, as the key page asks.
        let now: i64 = 1_796_477_400;
        let since = now - 47 * 3600 - (now - 47 * 3600).rem_euclid(3600);
        let hour = now - now.rem_euclid(3600);
        let rows = [
            row(hour, "valid", 6),
            row(hour, "rate_limited", 2),
            row(hour - 3600, "valid", 3),
        ];
        let svg = chart(&rows, since, now).into_string();
        // The busiest hour (8) tops the scale; 0 at its foot.
        assert!(
            svg.contains(">8</text>") && svg.contains(">0</text>"),
            "{svg}"
        );
        // Every 12th hour marked: midnights by their date, noons by the hour.
        assert!(svg.contains(">12-04</text>") && svg.contains(">12-05</text>"));
        assert_eq!(svg.matches(">12:00</text>").count(), 2, "{svg}");
        // One bar per outcome and hour, each titled; the legend gives the totals, with
        // rate_limited and valid in colours of their own.
        assert_eq!(svg.matches("<rect x=").count(), 3);
        assert!(svg.contains("<title>rate_limited: 2</title>"));
        assert!(svg.contains("rate_limited 2") && svg.contains("valid 9"));
        assert_ne!(colour("rate_limited"), colour("usage_exceeded"));
        assert_ne!(colour("valid"), colour("rate_limited"));
        // Nothing to show: said in words.
        let empty = chart(&[], since, now).into_string();
        assert!(empty.contains("no answers in the last 48 hours"));
    }
}
