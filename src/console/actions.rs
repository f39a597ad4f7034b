//! What each request of the console does: the checks of the gate, then a page, or an action
//! through the same library operations and audit entries as the CLI.

use super::{App, Asked, answer, page, pages, see_other};
use crate::error::{Error, Result};
use crate::model::KeyRecord;
use crate::store::queries;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Response, StatusCode};

type Answer = Response<Full<Bytes>>;

/// Keys a page of the table shows.
const PAGE: usize = 100;

pub fn route(app: &mut App, a: &Asked) -> Answer {
    if !app.gate.host_ok(a.host.as_deref()) {
        return page(
            StatusCode::MISDIRECTED_REQUEST,
            pages::message(
                "Wrong address",
                "this console answers only at its own address",
            ),
        );
    }
    match (&a.method, a.path.as_str()) {
        (&Method::GET, "/static/console.css") => {
            return answer(StatusCode::OK, "text/css; charset=utf-8", pages::CSS.into());
        }
        (&Method::GET, "/static/copy.js" | "/static/search.js") => {
            let js = if a.path.ends_with("copy.js") {
                pages::COPY_JS
            } else {
                pages::SEARCH_JS
            };
            return answer(StatusCode::OK, "text/javascript; charset=utf-8", js.into());
        }
        (&Method::GET, "/login") => return login(app, a),
        _ => {}
    }
    let Some(csrf) = app
        .gate
        .session(a.cookie.as_deref())
        .map(|s| s.csrf.clone())
    else {
        if let (Some(t), Some(h)) = (app.gate.renew(), &app.gate.host) {
            eprintln!(
                "console: a browser without a session asked; a new login link: http://{h}/login?token={t}"
            );
        }
        return page(
            StatusCode::UNAUTHORIZED,
            pages::message(
                "Signed out",
                "open the login link printed by `apikeys console` in its terminal",
            ),
        );
    };
    if a.method == Method::POST {
        if !app.gate.origin_ok(a.origin.as_deref()) {
            return page(
                StatusCode::FORBIDDEN,
                pages::message("Refused", "a change must come from the console's own pages"),
            );
        }
        if !a.get("csrf").is_some_and(|t| super::auth::same(t, &csrf)) {
            return page(
                StatusCode::FORBIDDEN,
                pages::message(
                    "Refused",
                    "the form's token is missing or stale: reload the page and try again",
                ),
            );
        }
    }
    // A change made by the CLI meanwhile shows on this page.
    match app.store.reload() {
        Ok(false) => {}
        Ok(true) => app.keys = None,
        Err(e) => {
            return page(
                StatusCode::INTERNAL_SERVER_ERROR,
                pages::message("Error", &e.shown()),
            );
        }
    }
    // A change made here: the keys are read again on the next page.
    if a.method == Method::POST {
        app.keys = None;
    }
    let now = crate::policy::now();
    let result = match (&a.method, a.path.as_str()) {
        (&Method::GET, "/" | "/keys") => keys_page(app, a, now),
        (&Method::GET, "/keys/new") => Ok(page(StatusCode::OK, pages::new_key(&csrf, None, &[]))),
        (&Method::POST, "/keys") => Ok(create(app, a, &csrf, now)),
        (&Method::GET, p) if p.starts_with("/keys/") => key_page(app, &p[6..], &csrf, now, None),
        (&Method::POST, p) if p.starts_with("/keys/") => key_action(app, a, &p[6..], &csrf, now),
        (&Method::GET, "/log") => log_page(app, a, now),
        (&Method::GET, "/groups") => groups_page(app, &csrf, None),
        (&Method::POST, "/groups") => group_action(app, a, &csrf, now),
        (&Method::GET, "/policy") => policy_page(app, &csrf, None),
        (&Method::POST, "/policy") => policy_action(app, a, &csrf, now),
        (&Method::GET, "/status") => status_page(app, now),
        _ => Ok(page(
            StatusCode::NOT_FOUND,
            pages::message("Not found", "no such page"),
        )),
    };
    result.unwrap_or_else(|e| {
        let status = match e.exit_code() {
            5 => StatusCode::NOT_FOUND,
            2 | 6 | 7 => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        page(status, pages::message("Error", &e.shown()))
    })
}

fn login(app: &mut App, a: &Asked) -> Answer {
    match a.get("token").and_then(|t| app.gate.log_in(t)) {
        Some((id, _)) => see_other(
            "/keys",
            Some(format!(
                "{}={id}; HttpOnly; SameSite=Strict; Path=/",
                super::auth::COOKIE
            )),
        ),
        None => page(
            StatusCode::FORBIDDEN,
            pages::message(
                "Link used",
                "this login link is not valid (it works once); use the newest one `apikeys console` printed",
            ),
        ),
    }
}

fn keys_page(app: &mut App, a: &Asked, now: i64) -> Result<Answer> {
    let asked = a.get("q").unwrap_or("").trim();
    let q = pages::KeysQuery {
        // A pasted token is looked up by its id, and only the id is shown back or put in a
        // link (the page's script sends only the id in the first place).
        q: crate::token::pasted_id(asked).unwrap_or(asked).to_string(),
        status: a.get("status").unwrap_or("").to_string(),
        owner: a.get("owner").unwrap_or("").trim().to_string(),
        group: a.get("group").unwrap_or("").trim().to_string(),
        sort: a.get("sort").unwrap_or("name").to_string(),
        page: a.get("page").and_then(|p| p.parse().ok()).unwrap_or(0),
    };
    let tally = crate::history::Tally::of(app.store.path())?;
    if app.keys.is_none() {
        app.keys = Some(queries::all_keys(app.store.conn())?);
    }
    let cached = app.keys.as_deref().unwrap_or_default();
    // Uses counted since the store was read: on every key when sorting by last use, else on
    // the page shown.
    let with_tally: Vec<KeyRecord>;
    let all: &[KeyRecord] = if q.sort == "last_used" {
        with_tally = cached
            .iter()
            .cloned()
            .map(|mut k| {
                tally.apply(&mut k);
                k
            })
            .collect();
        &with_tally
    } else {
        cached
    };
    let needle = q.q.to_lowercase();
    let mut kept: Vec<&KeyRecord> = all
        .iter()
        .filter(|k| {
            needle.is_empty()
                || k.name.to_lowercase().contains(&needle)
                || k.id.to_lowercase().contains(&needle)
                || k.description.to_lowercase().contains(&needle)
        })
        .filter(|k| match q.status.as_str() {
            "" => true,
            "expiring" => k.expiring_soon(now),
            // A status that is none of the list's matches no key (and the page says so).
            s => k.status(now).as_str() == s,
        })
        .filter(|k| q.owner.is_empty() || k.owner.as_deref() == Some(q.owner.as_str()))
        .filter(|k| q.group.is_empty() || k.groups.contains(&q.group))
        .collect();
    match q.sort.as_str() {
        "created" => kept.sort_by_key(|k| std::cmp::Reverse(k.created_at)),
        "expires" => kept.sort_by_key(|k| (k.expires_at.is_none(), k.expires_at)),
        "last_used" => kept.sort_by_key(|k| std::cmp::Reverse(k.last_used_at)),
        _ => kept.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id))),
    }
    let total = kept.len();
    let pages_n = total.div_ceil(PAGE).max(1);
    let start = (q.page.min(pages_n - 1)) * PAGE;
    let shown: Vec<&KeyRecord> = kept.into_iter().skip(start).take(PAGE).collect();
    Ok(page(
        StatusCode::OK,
        pages::keys(&shown, total, &q, now, pages_n),
    ))
}

/// Every value of a field, split on commas (a field named after a repeatable CLI flag).
fn list(a: &Asked, name: &str) -> Vec<String> {
    a.form
        .iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn field(a: &Asked, name: &str) -> Option<String> {
    sent(a, name).filter(|v| !v.is_empty())
}

/// Creates a key through the form: the checks of `create`, `mint`, the audit entry; the
/// answer is the shown-once page itself.
fn create(app: &mut App, a: &Asked, csrf: &str, now: i64) -> Answer {
    let made = (|| -> Result<(KeyRecord, String)> {
        let settings = crate::ops::mint::Settings {
            name: field(a, "name").unwrap_or_default(),
            expiry: field(a, "expires_at").or_else(|| field(a, "expires")),
            scopes: list(a, "scope"),
            groups: list(a, "group"),
            allowed_ips: list(a, "allow_ip"),
            prefix: crate::token::DEFAULT_PREFIX.to_string(),
            ..Default::default()
        };
        let whose = crate::ops::mint::check_whose(
            field(a, "owner").as_deref(),
            &list(a, "meta"),
            field(a, "uses").as_deref(),
        )?;
        let settings = crate::ops::mint::checked(
            settings,
            whose,
            &list(a, "rate"),
            field(a, "refill").as_deref(),
            &|_| {},
        )?;
        let pepper = app.store.pepper();
        let actor = app.actor.clone();
        app.store.write(|tx, _| {
            let (record, token) = crate::ops::mint::mint(tx, &pepper, &actor, &settings, now)?;
            queries::audit(
                tx,
                now,
                &actor,
                "create",
                Some(&record),
                &crate::ops::mint::describe(&record),
            )?;
            Ok((record, token.expose_secret().to_string()))
        })
    })();
    match made {
        Ok((k, token)) => page(StatusCode::OK, pages::shown_once(&k, &token)),
        Err(e) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::new_key(
                csrf,
                Some((&with_hint(&e), field_at_fault(a, &e, now))),
                &a.form,
            ),
        ),
    }
}

/// An error as a form shows it: what was refused, then what to do about it.
fn with_hint(e: &Error) -> String {
    match e.hint() {
        Some(h) => format!("{}. {}", e.shown(), crate::token::mask_all(&h)),
        None => e.shown(),
    }
}

/// The form field a refused key is refused for, so that the error shows beside it: each
/// field checked on its own by the check `create` ran (the store's own refusals by their
/// kind: a name taken, a group unknown, an expiry past the policy). None when it takes two
/// fields together (a refill without uses).
fn field_at_fault(a: &Asked, e: &Error, now: i64) -> Option<&'static str> {
    use crate::ops::mint::{Settings, check_lists, check_whose, checked};
    let name = field(a, "name").unwrap_or_default();
    if e.exit_code() == 6 || crate::model::check_name("key", &name).is_err() {
        return Some("name");
    }
    let (at, expiry) = match field(a, "expires_at") {
        Some(x) => ("expires_at", Some(x)),
        None => ("expires", field(a, "expires")),
    };
    if e.exit_code() == 7 || expiry.is_some_and(|x| crate::policy::parse_expiry(&x, now).is_err()) {
        return Some(at);
    }
    if e.exit_code() == 5 {
        return Some("group");
    }
    let quiet = |_: &str| {};
    let alone = |rates: &[String], remaining: Option<i64>, refill: Option<&str>| {
        let s = Settings {
            name: "x".into(),
            prefix: crate::token::DEFAULT_PREFIX.into(),
            ..Default::default()
        };
        checked(
            s,
            (None, Default::default(), remaining),
            rates,
            refill,
            &quiet,
        )
        .is_err()
    };
    let owner = field(a, "owner");
    let uses = field(a, "uses");
    [
        (
            "scope",
            check_lists(&quiet, &list(a, "scope"), &[]).is_err(),
        ),
        (
            "allow_ip",
            check_lists(&quiet, &[], &list(a, "allow_ip")).is_err(),
        ),
        ("owner", check_whose(owner.as_deref(), &[], None).is_err()),
        ("meta", check_whose(None, &list(a, "meta"), None).is_err()),
        ("uses", check_whose(None, &[], uses.as_deref()).is_err()),
        ("rate", alone(&list(a, "rate"), None, None)),
        (
            "refill",
            uses.is_some() && alone(&[], Some(1), field(a, "refill").as_deref()),
        ),
    ]
    .into_iter()
    .find_map(|(f, bad)| bad.then_some(f))
}

/// A page shown again with the error of what was just refused is a 422; else a 200.
fn refused_if(error: Option<&str>) -> StatusCode {
    if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

fn key_page(app: &mut App, id: &str, csrf: &str, now: i64, error: Option<&str>) -> Result<Answer> {
    let conn = app.store.conn();
    let mut k = queries::key_by_id(conn, id)?.ok_or_else(|| Error::NoSuchKey(id.to_string()))?;
    crate::history::Tally::of(app.store.path())?.apply(&mut k);
    let events = queries::audit_events(conn, Some((&k.id, &k.id)), None)?;
    let since = now - 47 * 3600;
    let (rows, refused) = match crate::history::db::History::open(app.store.path(), false)? {
        Some(h) => {
            let rows = h.rows(3600, since - since.rem_euclid(3600), now + 1, &[])?;
            let rows: Vec<_> = rows.into_iter().filter(|r| r.key_id == k.id).collect();
            (rows, h.refused(&k.id)?)
        }
        None => (vec![], vec![]),
    };
    Ok(page(
        refused_if(error),
        pages::key_page(&pages::KeyPage {
            k: &k,
            now,
            csrf,
            rows: &rows,
            since: since - since.rem_euclid(3600),
            refused: &refused,
            events: &events,
            error,
        }),
    ))
}

/// Revoke, activate, edit, rotate, delete: the store's operations with the CLI's checks.
fn key_action(app: &mut App, a: &Asked, id: &str, csrf: &str, now: i64) -> Result<Answer> {
    let actor = app.actor.clone();
    let action = a.get("action").unwrap_or("");
    let done: Result<Option<Answer>> = match action {
        "revoke" => {
            crate::ops::lifecycle::revoke(&mut app.store, id, None, &actor, now).map(|_| None)
        }
        "activate" => {
            crate::ops::lifecycle::activate(&mut app.store, id, &actor, now).map(|_| None)
        }
        "edit" => queries::resolve(app.store.conn(), id)
            .and_then(|k| as_shown(a, edit_given(a), &k))
            .and_then(|g| g.changes(&|_| {}))
            .and_then(|c| crate::ops::lifecycle::edit(&mut app.store, id, &c, &actor, now))
            .map(|_| None),
        "delete" => {
            let confirm = field(a, "confirm_name").unwrap_or_default();
            crate::ops::lifecycle::delete(&mut app.store, id, &confirm, &actor, now)
                .map(|_| Some(see_other("/keys", None)))
        }
        "rotate" => {
            let grace = crate::policy::parse_duration(&field(a, "grace").unwrap_or("1h".into()))?;
            crate::ops::lifecycle::rotate(&mut app.store, id, grace, &actor, now)
                .map(|(k, token)| Some(page(StatusCode::OK, pages::shown_once(&k, &token))))
        }
        _ => Err(Error::usage("no such action", "use the page's buttons")),
    };
    match done {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Ok(see_other(&format!("/keys/{id}"), None)),
        Err(e) => key_page(app, id, csrf, now, Some(&e.shown())),
    }
}

/// The boxes that hold a current value (name, owner, description) come with, hidden, the
/// value the page showed. One left as shown changes nothing, so that a change made since the
/// page was loaded (by the CLI, or another admin) is not undone by a save of something else;
/// one changed where the key changed too is refused, naming it, and nothing is saved. A post
/// without them (a script) is taken as it is.
fn as_shown(
    a: &Asked,
    mut given: crate::ops::edit::Given,
    key: &crate::model::KeyRecord,
) -> Result<crate::ops::edit::Given> {
    let owner = key.owner.clone().unwrap_or_default();
    for (what, asked, current) in [
        ("name", &mut given.name, &key.name),
        ("owner", &mut given.owner, &owner),
        ("description", &mut given.description, &key.description),
    ] {
        let Some(shown) = sent(a, &format!("shown_{what}")) else {
            continue;
        };
        let posted = asked.as_deref().unwrap_or("");
        if posted == shown || posted == current.trim() {
            // Left as shown, or already what it is now (both sides made the same change).
            *asked = None;
        } else if current.trim() != shown {
            return Err(Error::conflict(
                format!(
                    "the key's {what} was changed since this page was loaded; nothing was saved"
                ),
                "look at the page as it is now, and make the change again",
            ));
        }
    }
    Ok(given)
}

/// A field as sent (trimmed), empty included; `None` when it was not sent at all.
fn sent(a: &Asked, name: &str) -> Option<String> {
    a.form
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// The edit form's fields, named after `apikeys edit`'s flags: a field left empty or not sent
/// changes nothing, but for the boxes that hold a current value (see below).
fn edit_given(a: &Asked) -> crate::ops::edit::Given {
    let text = |f: &str| field(a, f);
    crate::ops::edit::Given {
        name: text("name"),
        expires: text("expires"),
        add_scope: list(a, "add_scope"),
        remove_scope: list(a, "remove_scope"),
        add_group: list(a, "add_group"),
        remove_group: list(a, "remove_group"),
        allow_ip: list(a, "allow_ip"),
        remove_ip: list(a, "remove_ip"),
        // These boxes hold the current values: sent empty, the value is removed; not sent at
        // all (a script posting only what it changes), it stays.
        description: sent(a, "description"),
        owner: sent(a, "owner"),
        meta: list(a, "meta"),
        remove_meta: list(a, "remove_meta"),
        uses: text("uses"),
        rates: list(a, "rate"),
        refill: text("refill"),
    }
}

/// A filter's value as `parse` reads it; `None` when none was given, or when it cannot be
/// read (its error is then kept in `errors`, to be shown).
fn filter_of<T>(
    text: &str,
    parse: impl FnOnce(&str) -> Result<T>,
    errors: &mut Vec<String>,
) -> Option<T> {
    if text.is_empty() {
        return None;
    }
    parse(text).map_err(|e| errors.push(e.shown())).ok()
}

fn log_page(app: &mut App, a: &Asked, now: i64) -> Result<Answer> {
    let mut events = queries::audit_events(app.store.conn(), None, None)?;
    let asked = |f: &str| a.get(f).map(str::trim).unwrap_or("");
    // Since: a duration back (7d) or a date, read as `apikeys log --since` reads it; the
    // action, one of the trail's, as `log --action`. A filter that cannot be read is said
    // beside the form and nothing is listed: never everything, as if there were no filter.
    let since_text = asked("since");
    let mut errors = Vec::new();
    let since = filter_of(
        since_text,
        |t| crate::policy::parse_since(t, now),
        &mut errors,
    );
    let action = filter_of(asked("action"), queries::action_named, &mut errors);
    let want = |f: &str| Some(asked(f).to_lowercase()).filter(|s| !s.is_empty());
    let (key, admin) = (want("key"), want("admin"));
    // An admin's name finds what they did under earlier names too, as `log --admin` does.
    let renamed = match asked("admin") {
        "" => None,
        name => Some(queries::Admin::of(app.store.conn(), name)?),
    };
    events.retain(|e| {
        errors.is_empty()
            && since.is_none_or(|t| e.at >= t)
            && key.as_ref().is_none_or(|k| {
                e.key_name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase() == *k)
                    || e.key_id.as_deref().is_some_and(|n| n.to_lowercase() == *k)
            })
            && admin.as_ref().is_none_or(|x| {
                e.actor.to_lowercase().contains(x.as_str())
                    || renamed.as_ref().is_some_and(|a| a.did(e))
            })
            && action.is_none_or(|x| queries::is_action(&e.action, x))
    });
    let body = maud::html! {
        form method="get" action="/log" {
            label { "Key " input type="text" name="key" value=(asked("key")); }
            label { " Admin " input type="text" name="admin" value=(asked("admin")); }
            label { " Action "
                select name="action" {
                    option value="" { "any" }
                    @for x in queries::ACTIONS {
                        option value=(x) selected[action == Some(*x)] { (x) }
                    }
                }
            }
            label { " Since " input type="text" name="since" placeholder="7d or 2026-12-01" value=(since_text); }
            button type="submit" { "Filter" }
            @for e in &errors { p.error role="alert" { (e) } }
        }
        (pages::events_table(&events))
    };
    Ok(page(StatusCode::OK, pages::layout("Audit log", body)))
}

fn groups_page(app: &mut App, csrf: &str, error: Option<&str>) -> Result<Answer> {
    let rows = crate::ops::groups::with_members(app.store.conn())?;
    Ok(page(refused_if(error), pages::groups(&rows, csrf, error)))
}

/// A group made, changed or deleted from the groups page: the operations `apikeys group`
/// runs. Deleting asks for the group's name typed, as deleting a key does.
fn group_action(app: &mut App, a: &Asked, csrf: &str, now: i64) -> Result<Answer> {
    let actor = app.actor.clone();
    let name = field(a, "name").unwrap_or_default();
    let list = |f: &str| field(a, f).into_iter().collect::<Vec<_>>();
    let done = match a.get("action").unwrap_or("") {
        "create" => {
            crate::ops::groups::create(&mut app.store, &name, &list("scope"), &actor, now).map(drop)
        }
        "edit" => crate::ops::groups::edit(
            &mut app.store,
            &name,
            &list("add_scope"),
            &list("remove_scope"),
            &actor,
            now,
        )
        .map(drop),
        "delete" if field(a, "confirm_name").as_deref() != Some(name.as_str()) => {
            Err(Error::usage(
                "the group was not deleted: its name was not typed to confirm",
                "type the group's name in the box beside Delete",
            ))
        }
        "delete" => crate::ops::groups::delete(&mut app.store, &name, &actor, now),
        _ => Err(Error::usage("no such action", "use the page's buttons")),
    };
    match done {
        Ok(()) => Ok(see_other("/groups", None)),
        Err(e) => groups_page(app, csrf, Some(&e.shown())),
    }
}

fn policy_page(app: &mut App, csrf: &str, error: Option<&str>) -> Result<Answer> {
    let p = crate::policy::Policy::load(app.store.conn())?;
    let beyond = crate::ops::policy::beyond_limit(app.store.conn(), &p)?;
    let days = match crate::history::db::History::open(app.store.path(), false)? {
        Some(h) => h.days()?,
        None => crate::history::DAYS_KEPT / crate::history::DAY,
    };
    Ok(page(
        refused_if(error),
        pages::policy(&p, beyond, days, csrf, error),
    ))
}

/// A rule set from the policy page: the operations `apikeys policy set` runs.
fn policy_action(app: &mut App, a: &Asked, csrf: &str, now: i64) -> Result<Answer> {
    use crate::ops::policy::{Lifetime, set_history_days, set_lifetime};
    let actor = app.actor.clone();
    let value = |f: &str| field(a, f).unwrap_or_default();
    let done = match a.get("action").unwrap_or("") {
        "max_lifetime" => set_lifetime(
            &mut app.store,
            Lifetime::Max,
            &value("max_lifetime"),
            &actor,
            now,
        )
        .map(drop),
        "default_lifetime" => set_lifetime(
            &mut app.store,
            Lifetime::Default,
            &value("default_lifetime"),
            &actor,
            now,
        )
        .map(drop),
        "history_days" => {
            set_history_days(&mut app.store, &value("history_days"), &actor, now).map(drop)
        }
        _ => Err(Error::usage("no such action", "use the page's buttons")),
    };
    match done {
        Ok(()) => Ok(see_other("/policy", None)),
        Err(e) => policy_page(app, csrf, Some(&e.shown())),
    }
}

fn status_page(app: &mut App, now: i64) -> Result<Answer> {
    use crate::model::Status;
    let keys = queries::all_keys(app.store.conn())?;
    let count = |s: Status| keys.iter().filter(|k| k.status(now) == s).count();
    let expiring: Vec<&KeyRecord> = keys.iter().filter(|k| k.expiring_soon(now)).collect();
    // The rule of `apikeys status` and `list --unused-since 90d`.
    let unused: Vec<&KeyRecord> = keys
        .iter()
        .filter(|k| k.unused_since(now - crate::commands::status::STALE_SECS))
        .collect();
    let presented = crate::commands::status::presented_while_revoked(app.store.path(), &keys, now)?;
    let link = |k: &KeyRecord| maud::html! { a href=(format!("/keys/{}", k.id)) { (k.name) } };
    let none = maud::html! { p { "none" } };
    let body = maud::html! {
        div.scroll { table #counts {
            thead { tr { th { "Keys" } th { "active" } th { "inactive" } th { "expired" } th { "rotating" } } }
            tbody { tr { td { (keys.len()) } td { (count(Status::Active)) } td { (count(Status::Inactive)) }
                td { (count(Status::Expired)) } td { (count(Status::Rotating)) } } }
        } }
        h2 { "Expiring within 7 days" }
        @if expiring.is_empty() { (none) } @else {
            div.scroll { table #expiring {
                thead { tr { th { "Key" } th { "Id" } th { "Expires" } th { "Owner" } } }
                tbody { @for k in &expiring { tr { td { (link(k)) } td.mono { (k.id) }
                    td { (pages::time(k.expires_at)) } td { (k.owner.as_deref().unwrap_or("-")) } } } }
            } }
        }
        h2 { "Unused for 90 days" }
        @if unused.is_empty() { (none) } @else {
            div.scroll { table #unused {
                thead { tr { th { "Key" } th { "Id" } th { "Created" } th { "Last used" } th { "Owner" } } }
                tbody { @for k in &unused { tr { td { (link(k)) } td.mono { (k.id) }
                    td { (pages::time(Some(k.created_at))) } td { (pages::time(k.last_used_at)) }
                    td { (k.owner.as_deref().unwrap_or("-")) } } } }
            } }
        }
        h2 { "Presented while revoked or expired (24 h)" }
        @if presented.is_empty() { (none) } @else {
            div.scroll { table #presented {
                thead { tr { th { "Key" } th { "Id" } th { "Status" } th { "Answers" } th { "Last" } th { "From" } } }
                tbody { @for (k, sum) in &presented { tr { td { (link(k)) } td.mono { (k.id) }
                    td { (k.status(now).as_str()) } td { (sum.count) } td { (pages::time(sum.last_at)) }
                    td { (sum.last_ip.as_deref().unwrap_or("-")) } } } }
            } }
        }
    };
    Ok(page(StatusCode::OK, pages::layout("Status", body)))
}
