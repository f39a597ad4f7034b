//! Issue 37: `apikeys console` through a real headless Chromium (selenium, Debian's
//! chromedriver), and its refusals through plain HTTP.

use crate::harness::{BIN, TestEnv, have, missing};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

/// A running console and its login link.
pub struct Console {
    child: Child,
    url: String,
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(env: &TestEnv) -> Console {
    let mut child = env
        .cmd(&["console", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = lines
        .next()
        .and_then(Result::ok)
        .and_then(|l| l.split("open ").nth(1).map(str::to_string))
        .expect("the console prints its login link");
    // Keep reading its stderr so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    Console { child, url }
}

/// Opens the console's login link as a browser would: its address and the session cookie.
fn signed_in(console: &Console) -> (String, String) {
    let addr = console.url.split('/').nth(2).unwrap().to_string();
    let path = console.url.split(&addr).nth(1).unwrap().to_string();
    let login = crate::server::raw(
        &addr,
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    let cookie = login
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    (addr, cookie.to_string())
}

/// A signed-in session of the console, as a browser holds one: GETs and form POSTs with its
/// cookie (and the CSRF token of the last page asked for, as the page's forms carry it).
pub struct Session {
    addr: String,
    cookie: String,
    csrf: std::cell::RefCell<String>,
}

impl Session {
    pub fn new(console: &Console) -> Session {
        let (addr, cookie) = signed_in(console);
        Session {
            addr,
            cookie,
            csrf: Default::default(),
        }
    }

    pub fn get(&self, target: &str) -> crate::server::Answer {
        let (addr, cookie) = (&self.addr, &self.cookie);
        let page = crate::server::raw(
            addr,
            format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
        if let Some(t) = page
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        {
            *self.csrf.borrow_mut() = t.to_string();
        }
        page
    }

    /// Posts `form` (urlencoded, without the CSRF field: it is added) to `target`.
    pub fn post(&self, target: &str, form: &str) -> crate::server::Answer {
        let (addr, cookie) = (&self.addr, &self.cookie);
        let form = format!("csrf={}&{form}", self.csrf.borrow());
        crate::server::raw(
            addr,
            format!(
                "POST {target} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {cookie}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
                form.len()
            )
            .as_bytes(),
        )
        .unwrap()
    }
}

/// The audit log as (action, actor, details), oldest first.
fn events(env: &TestEnv) -> Vec<(String, String, String)> {
    let log = env.run(&["log", "--format", "json"]).code(0).json_lines();
    log.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |f: &str| e[f].as_str().unwrap_or_default().to_string();
            (text("action"), text("actor"), text("details"))
        })
        .collect()
}

/// Posts each form and checks it is refused (422) saying what it must.
fn refused(post: &dyn Fn(&str) -> crate::server::Answer, cases: &[(&str, &str)]) {
    for (form, says) in cases {
        let r = post(form);
        assert_eq!(r.status, 422, "{form}: {}", r.body);
        assert!(r.body.contains(says), "{form}: {}", r.body);
    }
}

fn python() -> Option<String> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let ok = venv.exists()
        && std::process::Command::new(&venv)
            .args(["-c", "import selenium"])
            .status()
            .is_ok_and(|s| s.success());
    if !ok || !have("chromium") || !have("chromedriver") {
        missing("chromium, chromedriver or selenium (in .venv) is not installed");
        return None;
    }
    Some(venv.display().to_string())
}

#[test]
fn the_console_in_a_real_browser() {
    let Some(py) = python() else { return };
    let env = TestEnv::new();
    let cli_made = env.create("cli-made", &[]);
    env.verify(&cli_made, &["--ip", "192.0.2.4"]).code(0);
    env.create("<img src=x onerror=alert(1)>", &[]);
    env.run(&["group", "create", "deployers", "--scope", "deploy:write"])
        .code(0);
    let console = start(&env);
    let shots = std::env::var("APIKEYS_SCREENSHOTS")
        .unwrap_or_else(|_| env.dir.path().display().to_string());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/console/browser.py");
    let mut cmd = env.cmd(&[]);
    let out = cmd.env_remove("APIKEYS_STORE").current_dir(env.dir.path());
    let mut c = std::process::Command::new(&py);
    for (k, v) in out.get_envs() {
        if let Some(v) = v {
            c.env(k, v);
        }
    }
    c.env("APIKEYS_STORE", &env.store);
    let out = c
        .args([script.to_str().unwrap(), &console.url, BIN, &shots])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the browser run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let ids: Vec<String> = env
        .keys()
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen["after_login"], "/keys");
    assert_eq!(seen["cookie_httponly"], true);
    assert_eq!(seen["cookie_samesite"], serde_json::json!(["Strict"]));
    // The keys made by the CLI are in table#keys; a hostile name is text, and ran nothing.
    let rows = seen["rows"].as_object().unwrap();
    let cli_id = env.key("cli-made")["id"].as_str().unwrap().to_string();
    assert!(rows.contains_key(&cli_id), "{rows:?}");
    assert!(
        rows.values()
            .any(|t| t.as_str().unwrap().contains("<img src=x onerror=alert(1)>"))
    );
    assert_eq!(seen["alert_ran"], false);
    // A key made through the form verifies; its token was shown once, never in a URL.
    assert_eq!(seen["verify"], 0);
    assert_eq!(seen["token_in_url"], false);
    assert_eq!(seen["back_at_keys"], true);
    assert_eq!(
        seen["token_after_back"], false,
        "Back brings the token back"
    );
    // A token pasted into the search finds its key; the script sent only the id.
    let key_id = seen["key_id"].as_str().unwrap();
    assert_eq!(seen["search_rows"], serde_json::json!([key_id]));
    assert_eq!(seen["search_secret_in_url"], false);
    assert_eq!(seen["search_box"], key_id);
    assert_eq!(seen["chart"], true);
    assert!(
        seen["after_revoke"]
            .as_str()
            .unwrap()
            .contains("\"status\": \"inactive\"")
    );
    assert!(
        seen["after_activate"]
            .as_str()
            .unwrap()
            .contains("\"status\": \"active\"")
    );
    // Rotated in the console: both tokens verify during the grace period.
    assert_eq!(seen["rotated_new"], 0);
    assert_eq!(seen["rotated_old"], 0);
    assert_eq!(seen["rotated_differs"], true);
    // A CLI change shows on reload.
    assert!(
        seen["rows_after_cli"][&cli_id]
            .as_str()
            .unwrap()
            .contains("inactive")
    );
    assert!(
        seen["wrong_name_error"]
            .as_str()
            .unwrap()
            .contains("does not match")
    );
    assert!(seen["rows_after_delete"].get(key_id).is_none());
    assert!(!ids.contains(&key_id.to_string()), "deleted for good");
    // Refused: another origin, no CSRF token; a console POST with both is fine.
    assert_eq!(seen["cross_origin"], 403);
    assert_eq!(seen["no_csrf"], 403);
    assert_eq!(seen["good_post"], 200);
    assert_eq!(seen["second_login"], "Link used");
    // Readable at 360 px (no page-wide overflow), every control labelled.
    for (path, fits) in seen["narrow"].as_object().unwrap() {
        assert_eq!(fits, true, "{path} overflows 360 px");
    }
    assert_eq!(seen["unlabelled"], serde_json::json!([]));
    // Every action is in the audit log under the admin's slot, noted console.
    let by_console: Vec<String> = events(&env)
        .into_iter()
        .filter(|(_, who, _)| who.ends_with("(console)"))
        .map(|(action, _, _)| action)
        .collect();
    for action in ["create", "revoke", "activate", "rotate", "delete"] {
        assert!(by_console.iter().any(|a| a == action), "{by_console:?}");
    }
}

#[test]
fn the_console_listens_on_loopback_only_and_checks_host() {
    let env = TestEnv::new();
    let out = env.run(&["console", "--listen", "0.0.0.0:0"]).code(2);
    assert!(out.stderr.contains("loopback only"), "{}", out.stderr);
    let console = start(&env);
    let addr = console.url.split('/').nth(2).unwrap().to_string();
    let get = |host: &str, path: &str| {
        crate::server::raw(
            &addr,
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap()
    };
    // A rebound DNS name reaches the socket with another Host: refused.
    assert_eq!(get("attacker.example", "/keys").status, 421);
    // Without a session: nothing but the sign-in note, with the security headers.
    let anon = get(&addr, "/keys");
    assert_eq!(anon.status, 401);
    assert!(
        anon.header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(anon.header("x-frame-options"), Some("DENY"));
    assert_eq!(anon.header("x-content-type-options"), Some("nosniff"));
    // A wrong login token is refused; the printed one works once.
    assert_eq!(get(&addr, "/login?token=guess").status, 403);
    let path = console.url.split(&addr).nth(1).unwrap().to_string();
    let first = get(&addr, &path);
    assert_eq!(first.status, 303);
    assert!(
        first
            .header("set-cookie")
            .unwrap()
            .contains("HttpOnly; SameSite=Strict")
    );
    assert_eq!(get(&addr, &path).status, 403);
}

#[test]
fn the_console_edits_a_key_as_apikeys_edit_does() {
    let env = TestEnv::new();
    env.create("svc", &[]);
    let id = env.key("svc")["id"].as_str().unwrap().to_string();
    let console = start(&env);
    let session = Session::new(&console);
    assert_eq!(session.get(&format!("/keys/{id}")).status, 200);
    let post = |form: &str| session.post(&format!("/keys/{id}"), form);
    // The owner set through the form: the same change, and the same audit entry, as
    // `apikeys edit --owner acme` (by the admin, noted console).
    let done = post("action=edit&owner=acme&expires=");
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(env.key("svc")["owner"], "acme");
    let log = env.run(&["log", "--format", "json"]).code(0).json_lines();
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "edit");
    assert!(
        last["actor"].as_str().unwrap().ends_with("(console)"),
        "{last}"
    );
    assert!(
        last["details"]
            .as_str()
            .unwrap()
            .contains("owner (none) -> \"acme\""),
        "{last}"
    );
    // An owner the CLI refuses is refused here too, and nothing changes.
    let refused = post("action=edit&owner=%07bell&expires=");
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("invalid owner"), "{}", refused.body);
    assert_eq!(env.key("svc")["owner"], "acme");
    env.run(&["edit", "svc", "--owner", "\u{7}bell"]).code(2);
}

/// A token pasted into the keys page's search finds its key by id, and the page shows back
/// only the id (in the box and in its links): the secret is not echoed. (The page's script
/// sends only the id in the first place, so the secret never reaches the address bar: the
/// browser test checks that.)
#[test]
fn a_token_pasted_into_the_search_finds_its_key_and_is_not_shown_back() {
    let env = TestEnv::new();
    let token = env.create("svc", &[]);
    env.create("other", &[]);
    let id = env.key("svc")["id"].as_str().unwrap().to_string();
    let console = start(&env);
    let session = Session::new(&console);
    let search = |q: &str| session.get(&format!("/keys?q={q}&page=0"));
    for q in [
        token.clone(),
        token[..token.len() - 2].to_string(),
        format!("%20{token}%20"),
    ] {
        let page = search(&q);
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains(&format!("data-key-id=\"{id}\"")),
            "{}",
            page.body
        );
        assert_eq!(
            page.body.matches("data-key-id=").count(),
            1,
            "only that key"
        );
        assert!(page.body.contains(&format!("name=\"q\" value=\"{id}\"")));
        assert!(
            !page.body.contains(&token[20..40]),
            "the secret is shown back"
        );
        assert!(page.body.contains("src=\"/static/search.js\""));
    }
    // The script it loads sends a pasted token's id alone.
    let js = session.get("/static/search.js");
    assert_eq!(js.status, 200);
    assert!(js.body.contains("q.value=m[1]"), "{}", js.body);
    // Any other search is what it was.
    let page = search("oth");
    assert_eq!(page.body.matches("data-key-id=").count(), 1);
    assert!(page.body.contains("name=\"q\" value=\"oth\""));
}

/// The keys table shows a hundred keys a page, with Previous and Next where there are more;
/// one page has no pager at all.
#[test]
fn the_keys_table_pages_by_a_hundred() {
    let env = TestEnv::new();
    let lines: String = (0..150)
        .map(|i| format!("{{\"name\":\"key-{i:03}\"}}\n"))
        .collect();
    let file = env.write("in.jsonl", &lines);
    let secrets = env.path("tokens.jsonl");
    env.run(&[
        "import",
        file.to_str().unwrap(),
        "--secret-file",
        secrets.to_str().unwrap(),
    ])
    .code(0);
    let console = start(&env);
    let session = Session::new(&console);
    let get = |query: &str| session.get(&format!("/keys?{query}"));
    let first = get("page=0");
    assert_eq!(first.body.matches("data-key-id=").count(), 100);
    assert!(
        first.body.contains("150 keys, page 1 of 2"),
        "{}",
        first.body
    );
    assert!(first.body.contains(">Next<") && !first.body.contains(">Previous<"));
    let second = get("page=1");
    assert_eq!(second.body.matches("data-key-id=").count(), 50);
    assert!(second.body.contains(">Previous<") && !second.body.contains(">Next<"));
    // Names sorted: the second page starts where the first ended.
    assert!(first.body.contains(">key-099<") && second.body.contains(">key-100<"));
    // A `-` is in no id (base62) and no masked key, so only the ten names can match.
    let one = get("q=key-12");
    assert_eq!(one.body.matches("data-key-id=").count(), 10);
    assert!(!one.body.contains("class=\"pages\""), "{}", one.body);
    // The status filter: a choice of the list filters; another is said, and matches nothing.
    env.run(&["revoke", "key-001", "--yes"]).code(0);
    let revoked = get("status=inactive");
    assert_eq!(
        revoked.body.matches("data-key-id=").count(),
        1,
        "{}",
        revoked.body
    );
    assert!(
        revoked
            .body
            .contains("<option value=\"inactive\" selected>")
    );
    let bogus = get("status=revokd");
    assert!(
        bogus.body.contains("role=\"alert\"")
            && bogus.body.contains("no status &quot;revokd&quot;"),
        "{}",
        bogus.body
    );
    assert_eq!(bogus.body.matches("data-key-id=").count(), 0);
}

/// The audit log page filters by time as `apikeys log --since` does (a duration back or a
/// date) and by action, chosen from the trail's own; a value it cannot read is said beside
/// the form and nothing is listed, never everything as if there were no filter.
#[test]
fn the_audit_log_filters_by_time_and_action() {
    let env = TestEnv::new();
    env.create("one", &[]);
    env.create("two", &[]);
    env.run(&["revoke", "two", "--yes"]).code(0);
    env.run(&["admin", "rename", "key-file", "ci"]).code(0);
    let console = start(&env);
    let session = Session::new(&console);
    let log = |query: &str| session.get(&format!("/log?{query}"));
    let rows = |body: &str| body.matches("<td class=\"when\">").count();
    let all = log("since=");
    assert!(rows(&all.body) >= 4, "{}", all.body);
    assert_eq!(rows(&log("since=1h").body), rows(&all.body));
    assert_eq!(rows(&log("since=2099-01-01").body), 0);
    // The actions offered are the trail's; the chosen one stays chosen.
    assert!(
        all.body
            .contains("<option value=\"revoke\">revoke</option>")
            && all.body.contains("<option value=\"policy set\">"),
        "{}",
        all.body
    );
    let revokes = log("action=revoke");
    assert_eq!(rows(&revokes.body), 1, "{}", revokes.body);
    assert!(revokes.body.contains("<option value=\"revoke\" selected>"));
    assert_eq!(rows(&log("action=create&since=1h").body), 2);
    // An admin renamed since: what they did under the old name is theirs (all but init).
    assert_eq!(rows(&log("admin=ci").body), rows(&all.body) - 1);
    for (bad, says) in [
        ("since=yesterday-ish", "invalid time"),
        ("action=revokd", "unknown action"),
    ] {
        let bad = log(bad);
        assert_eq!(bad.status, 200);
        assert!(
            bad.body.contains("role=\"alert\"") && bad.body.contains(says),
            "{}",
            bad.body
        );
        assert_eq!(rows(&bad.body), 0, "{}", bad.body);
    }
}

/// Groups are made, changed and deleted from the console with the CLI's operations: the
/// same checks, the same audit entries (by the admin, noted console), and a delete that asks
/// for the group's name typed.
#[test]
fn the_console_makes_changes_and_deletes_groups() {
    let env = TestEnv::new();
    let console = start(&env);
    let session = Session::new(&console);
    assert_eq!(session.get("/groups").status, 200);
    let post = |form: &str| session.post("/groups", form);
    let made = post("action=create&name=deployers&scope=deploy%3Aread%2C+deploy%3Awrite");
    assert_eq!(made.status, 303, "{}", made.body);
    let listed = env
        .run(&["group", "list", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(listed[0]["name"], "deployers");
    assert_eq!(
        listed[0]["scopes"],
        serde_json::json!(["deploy:read", "deploy:write"])
    );
    // A key of the group gets its scopes; a change of the group reaches it.
    let token = env.create("ci", &["--group", "deployers"]);
    let changed =
        post("action=edit&name=deployers&add_scope=deploy%3Aadmin&remove_scope=deploy%3Aread");
    assert_eq!(changed.status, 303, "{}", changed.body);
    env.run_stdin(&["verify", "--scope", "deploy:admin"], &token)
        .code(0);
    env.run_stdin(&["verify", "--scope", "deploy:read"], &token)
        .code(15);
    // Refused as the CLI refuses: a taken name, no scope, a change that changes nothing.
    refused(
        &post,
        &[
            ("action=create&name=deployers&scope=x", "already exists"),
            ("action=create&name=empty&scope=", "at least one scope"),
            (
                "action=edit&name=deployers&add_scope=deploy%3Aadmin",
                "nothing to change",
            ),
            (
                "action=delete&name=deployers&confirm_name=deploy",
                "not typed",
            ),
        ],
    );
    env.run(&["show", "ci"]).code(0);
    let gone = post("action=delete&name=deployers&confirm_name=deployers");
    assert_eq!(gone.status, 303, "{}", gone.body);
    env.run(&["group", "list", "--format", "json"]).code(0);
    assert!(env.key("ci")["groups"].as_array().unwrap().is_empty());
    let groups: Vec<(String, String, String)> = events(&env)
        .into_iter()
        .filter(|(a, _, _)| a.starts_with("group"))
        .collect();
    assert_eq!(
        groups
            .iter()
            .map(|(a, _, _)| a.as_str())
            .collect::<Vec<_>>(),
        ["group create", "group edit", "group delete"]
    );
    assert!(
        groups.iter().all(|(_, who, _)| who.ends_with("(console)")),
        "{groups:?}"
    );
}

/// The policy is set from the console as `apikeys policy set` sets it: the same values, the
/// same refusals, the same audit entries.
#[test]
fn the_console_sets_the_policy() {
    let env = TestEnv::new();
    env.create("long", &["--expires", "300d"]);
    let console = start(&env);
    let session = Session::new(&console);
    let page = session.get("/policy");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("value=\"730\""), "{}", page.body);
    let post = |form: &str| session.post("/policy", form);
    // Lowering the max below the default lowers the default with it, as the CLI does.
    let set = post("action=max_lifetime&max_lifetime=90d");
    assert_eq!(set.status, 303, "{}", set.body);
    let policy = env
        .run(&["policy", "show", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(policy["max_lifetime"], "90d");
    assert_eq!(policy["default_lifetime"], "90d");
    assert_eq!(policy["keys_beyond_max_lifetime"], 1);
    let shown = session.get("/policy");
    assert!(
        shown.body.contains("1 key expires beyond"),
        "{}",
        shown.body
    );
    // Refused as the CLI refuses them.
    refused(
        &post,
        &[
            (
                "action=default_lifetime&default_lifetime=1y",
                "cannot exceed",
            ),
            ("action=max_lifetime&max_lifetime=0s", "longer than 0"),
            ("action=history_days&history_days=0", "invalid history-days"),
        ],
    );
    assert_eq!(post("action=history_days&history_days=30").status, 303);
    assert_eq!(post("action=max_lifetime&max_lifetime=none").status, 303);
    let policy = env
        .run(&["policy", "show", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(policy["max_lifetime"], "none");
    let details: Vec<String> = events(&env)
        .into_iter()
        .filter(|(a, _, _)| a.starts_with("policy"))
        .map(|(_, _, d)| d)
        .collect();
    assert_eq!(
        details,
        ["max-lifetime 90d", "history-days 30", "max-lifetime none"]
    );
}

/// A key refused by the add-key form says why beside the field it was refused for (the
/// others keep what was typed), and nothing is made; an error of two fields together is
/// said at the top.
#[test]
fn the_add_key_form_says_each_error_beside_its_field() {
    let env = TestEnv::new();
    env.create("taken", &[]);
    let console = start(&env);
    let session = Session::new(&console);
    assert_eq!(session.get("/keys/new").status, 200);
    let before = env.store_bytes();
    for (form, at) in [
        ("name=taken", "name"),
        ("name=x&owner=%07bell", "owner"),
        ("name=x&meta=NOT+A+KEY", "meta"),
        ("name=x&rate=0%2F1s", "rate"),
        ("name=x&allow_ip=10.0.0.0%2F33", "allow_ip"),
        ("name=x&group=nope", "group"),
        ("name=x&expires_at=2099-01-01", "expires_at"),
        ("name=x&uses=0", "uses"),
    ] {
        let r = session.post("/keys", &format!("action=create&{form}"));
        assert_eq!(r.status, 422, "{form}: {}", r.body);
        assert!(
            r.body.contains(&format!("id=\"{at}-error\"")),
            "{form}: not beside {at}: {}",
            r.body
        );
        assert_eq!(r.body.matches("role=\"alert\"").count(), 1, "{form}");
        assert!(
            r.body.contains("value=\"x\"") || at == "name",
            "{form}: typed name lost"
        );
    }
    // With what to do about it.
    let r = session.post("/keys", "action=create&name=x&rate=0%2F1s");
    assert!(r.body.contains("give N/DUR"), "{}", r.body);
    // Refill without uses: two fields together, said at the top.
    let r = session.post("/keys", "action=create&name=x&refill=10%2F1d");
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("<p class=\"error\" role=\"alert\">"),
        "{}",
        r.body
    );
    assert_eq!(env.store_bytes(), before, "nothing was made");
}

/// The key page's edit form changes what `apikeys edit` changes, read the same way (fields
/// named after its flags), with the same audit entry; refusals change nothing.
#[test]
fn the_edit_form_changes_what_apikeys_edit_changes() {
    let env = TestEnv::new();
    env.run(&["group", "create", "ops", "--scope", "ops:read"])
        .code(0);
    let token = env.create("svc", &["--scope", "old", "--owner", "acme"]);
    let id = env.key("svc")["id"].as_str().unwrap().to_string();
    let console = start(&env);
    let session = Session::new(&console);
    assert_eq!(session.get(&format!("/keys/{id}")).status, 200);
    let post = |form: &str| session.post(&format!("/keys/{id}"), &format!("action=edit&{form}"));
    // What the form sends when only these boxes were filled in (name, owner and description
    // hold their current values).
    let unchanged = "name=svc&owner=acme&description=";
    let done = post(&format!(
        "{unchanged}&add_scope=new%2C+more&remove_scope=old&add_group=ops&allow_ip=10.0.0.0%2F8\
         &meta=plan%3Dpro&uses=50&rate=10%2F1s&refill=50%2F30d"
    ));
    assert_eq!(done.status, 303, "{}", done.body);
    let k = env.key("svc");
    assert_eq!(k["scopes"], serde_json::json!(["new", "more"]));
    assert_eq!(k["groups"], serde_json::json!(["ops"]));
    assert_eq!(k["allowed_ips"], serde_json::json!(["10.0.0.0/8"]));
    assert_eq!(k["meta"]["plan"], "pro");
    assert_eq!(k["remaining"], 50);
    assert_eq!(k["rates"], serde_json::json!(["10/1s"]));
    // It verifies as edited: the group's scope, from the allowed network only.
    env.run_stdin(
        &["verify", "--scope", "ops:read", "--ip", "10.1.2.3"],
        &token,
    )
    .code(0);
    env.run_stdin(&["verify", "--ip", "192.0.2.1"], &token)
        .code(14);
    let log = env.run(&["log", "--format", "json"]).code(0).json_lines();
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "edit");
    assert!(
        last["actor"].as_str().unwrap().ends_with("(console)"),
        "{last}"
    );
    // Cleared boxes remove; "none" removes a limit; a new name.
    let done =
        post("name=billing&owner=&description=&uses=none&refill=none&rate=none&remove_group=ops");
    assert_eq!(done.status, 303, "{}", done.body);
    let k = env.key("billing");
    assert!(k["owner"].is_null() && k["remaining"].is_null(), "{k}");
    assert_eq!(k["rates"], serde_json::json!([]));
    // A script posting only what it changes leaves the rest as it is.
    env.run(&[
        "edit",
        "billing",
        "--owner",
        "acme",
        "--description",
        "kept",
    ])
    .code(0);
    assert_eq!(post("uses=7").status, 303);
    let k = env.key("billing");
    assert_eq!(
        (
            k["owner"].as_str(),
            k["description"].as_str(),
            k["remaining"].as_i64()
        ),
        (Some("acme"), Some("kept"), Some(7))
    );
    // Refused as the CLI refuses, and nothing changed.
    let before = env.store_bytes();
    refused(
        &post,
        &[
            ("name=billing&rate=0%2F1s", "invalid rate"),
            ("name=billing&allow_ip=999.1.1.1", "invalid IP"),
            ("name=billing&add_group=nope", "no such group"),
            (
                "name=billing&owner=acme&description=kept",
                "nothing to change",
            ),
        ],
    );
    assert_eq!(env.store_bytes(), before);
}

/// Two admins at once: a change made since the key page was loaded (here by the CLI) is not
/// undone when the page's edit form saves something else, and a box changed on both sides is
/// refused, naming it, with nothing saved.
#[test]
fn a_save_from_an_old_page_does_not_undo_a_change_made_since() {
    let env = TestEnv::new();
    env.create("svc", &["--owner", "acme", "--description", "first"]);
    let id = env.key("svc")["id"].as_str().unwrap().to_string();
    let console = start(&env);
    let session = Session::new(&console);
    let page = session.get(&format!("/keys/{id}"));
    for hidden in [
        "name=\"shown_name\" value=\"svc\"",
        "name=\"shown_owner\" value=\"acme\"",
        "name=\"shown_description\" value=\"first\"",
    ] {
        assert!(page.body.contains(hidden), "{hidden}: {}", page.body);
    }
    // What that page's form sends, boxes as shown but for `changed`.
    let post = |changed: &str| {
        let form = "shown_name=svc&shown_owner=acme&shown_description=first\
                    &name=svc&owner=acme&description=first";
        let mut fields: Vec<(String, String)> = form
            .split('&')
            .map(|f| f.split_once('=').unwrap())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in changed.split('&').filter_map(|f| f.split_once('=')) {
            fields.retain(|(x, _)| x != k);
            fields.push((k.into(), v.into()));
        }
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        session.post(
            &format!("/keys/{id}"),
            &format!("action=edit&{}", body.join("&")),
        )
    };
    // Meanwhile, another admin renames the key and gives it to another owner.
    env.run(&["edit", "svc", "--name", "billing", "--owner", "beta"])
        .code(0);
    // The old page saves a new description: the rename and the owner stand.
    assert_eq!(post("description=second").status, 303);
    let k = env.key("billing");
    assert_eq!(
        (
            k["name"].as_str(),
            k["owner"].as_str(),
            k["description"].as_str()
        ),
        (Some("billing"), Some("beta"), Some("second"))
    );
    // The same change made on both sides is no clash.
    assert_eq!(post("name=billing&uses=9").status, 303);
    assert_eq!(env.key("billing")["remaining"], 9);
    // The old page changes the owner too, which was changed since: refused, nothing saved.
    let before = env.store_bytes();
    let clash = post("owner=gamma&uses=5");
    assert_eq!(clash.status, 422, "{}", clash.body);
    assert!(
        clash
            .body
            .contains("the key&#39;s owner was changed since this page was loaded")
            || clash
                .body
                .contains("the key's owner was changed since this page was loaded"),
        "{}",
        clash.body
    );
    assert_eq!(env.store_bytes(), before);
}
