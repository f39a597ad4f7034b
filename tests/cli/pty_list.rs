//! list at a real terminal: fits every width, never splits a date or an id, colours unless NO_COLOR.

use crate::harness::{BIN, TestEnv};
use crate::pty::{exit_code, spawn_command};
use std::process::Command;

/// Runs `list` on a pseudo-terminal `cols` wide; returns everything it printed.
fn list_on_terminal(env: &TestEnv, cols: u16, no_color: bool) -> String {
    on_terminal(env, cols, no_color, "list", None)
}

/// Runs `apikeys ARGS` on a pseudo-terminal `cols` wide (0: one that says it has no size),
/// with `COLUMNS` when given; returns everything it printed.
fn on_terminal(
    env: &TestEnv,
    cols: u16,
    no_color: bool,
    args: &str,
    columns: Option<u16>,
) -> String {
    let columns = columns.map_or(String::new(), |n| format!("COLUMNS={n} "));
    run_on_terminal(env, cols, no_color, &columns, args)
}

/// As [`on_terminal`], colours allowed, with `vars` (`NAME=value `) set for apikeys.
fn on_terminal_with(env: &TestEnv, cols: u16, vars: &str, args: &str) -> String {
    run_on_terminal(env, cols, false, vars, args)
}

fn run_on_terminal(env: &TestEnv, cols: u16, no_color: bool, vars: &str, args: &str) -> String {
    let rows = if cols == 0 { 0 } else { 40 };
    // The size is set inside the pty before apikeys starts, so it cannot read a default size.
    // (spawn_command clears the environment: variables are set by the shell.)
    let mut c = Command::new("sh");
    c.args([
        "-c",
        &format!("stty cols {cols} rows {rows} && {vars}exec \"$0\" {args}"),
        BIN,
    ]);
    let mut s = spawn_command(env, c, true, no_color);
    // And from outside, to the same size: whichever lands last, the size is the same (a
    // default size set by the pty's owner could otherwise land after stty, under load).
    s.get_process_mut().set_window_size(cols, rows).unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut s, &mut out).ok();
    assert_eq!(exit_code(s), 0);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn list_fits_the_terminal_and_colours_status_unless_no_color() {
    let env = TestEnv::new();
    env.create(
        "a-key-with-a-rather-long-name",
        &[
            "--scope",
            "deploy:write",
            "--scope",
            "read:everything",
            "--allow-ip",
            "2001:db8::/32",
        ],
    );
    env.create("soon", &["--expires", "1d"]);
    env.create("gone", &[]);
    env.run(&["revoke", "gone", "--yes"]).code(0);
    for no_color in [true, false] {
        let out = list_on_terminal(&env, 100, no_color);
        let table = out.lines().filter(|l| l.contains('│') || l.contains('┌'));
        let widest = table.map(console_width).max().unwrap();
        assert!(
            widest <= 100,
            "a line is {widest} wide on a 100-column terminal:\n{out}"
        );
        for k in env.keys() {
            let (id, key) = (k["id"].as_str().unwrap(), k["key"].as_str().unwrap());
            // The key column repeats the id: it is the first to give way.
            assert!(
                out.contains(id) && (out.contains(key) || !out.contains(" key ")),
                "ids and keys never wrap:\n{out}"
            );
        }
        assert!(out.contains("hidden to fit the terminal: key"), "{out}");
        assert_eq!(
            out.contains("\u{1b}["),
            !no_color,
            "colour only without NO_COLOR:\n{out}"
        );
    }
    let coloured = list_on_terminal(&env, 250, false);
    assert!(
        coloured.contains("allowed IPs") && !coloured.contains("hidden to fit"),
        "{coloured}"
    );
    assert!(
        coloured.contains("\u{1b}[38;5;10m") || coloured.contains("\u{1b}[32m"),
        "active is green: {coloured:?}"
    );
    // A terminal that says it cannot show colour (TERM=dumb) gets none, NO_COLOR or not.
    let plain = on_terminal_with(&env, 250, "TERM=dumb ", "list");
    assert!(
        plain.contains("allowed IPs") && !plain.contains("\u{1b}["),
        "{plain:?}"
    );
}

/// Display width of a line: characters, not counting ANSI escape sequences.
fn console_width(line: &str) -> usize {
    let mut width = 0;
    let mut in_escape = false;
    for c in line.trim_end_matches('\r').chars() {
        match (in_escape, c) {
            (false, '\u{1b}') => in_escape = true,
            (true, c) if c.is_ascii_alphabetic() => in_escape = false,
            (true, _) => {}
            (false, _) => width += 1,
        }
    }
    width
}

#[test]
fn list_never_splits_a_date_or_an_id_at_80_120_and_200_columns() {
    let env = TestEnv::new();
    env.create(
        "a-key-with-a-name-much-too-long-for-any-table",
        &["--scope", "deploy:write", "--allow-ip", "10.0.0.0/8"],
    );
    env.create("short", &["--expires", "1d"]);
    let date = regex_lite_date();
    for cols in [80u16, 120, 200] {
        let out = list_on_terminal(&env, cols, true);
        let table: Vec<&str> = out.lines().filter(|l| l.contains('│')).collect();
        let widest = table.iter().map(|l| console_width(l)).max().unwrap();
        assert!(widest <= usize::from(cols), "{cols}: {widest} wide\n{out}");
        for k in env.keys() {
            assert!(
                out.contains(k["id"].as_str().unwrap()),
                "{cols}: id split\n{out}"
            );
        }
        // Every date shown is whole: `2026-11-28 08:23Z`, never `2026-11-2` / `8 08:23Z`.
        let shown = table.iter().flat_map(|l| l.split('│')).map(str::trim);
        for cell in shown.filter(|c| c.starts_with("20")) {
            assert!(date(cell), "{cols}: a split date {cell:?}\n{out}");
        }
        let kept: &[&str] = if cols < 120 {
            &["name", "id", "status", "expires"]
        } else {
            &["name", "id", "status", "created", "expires", "last used"]
        };
        for col in kept {
            assert!(
                out.contains(&format!(" {col} ")),
                "{cols}: {col} hidden\n{out}"
            );
        }
        if cols == 80 {
            assert!(out.contains('…'), "a long name is cut at 80 columns\n{out}");
        }
        if cols == 200 {
            // At most the key (it repeats the id) gives way at 200 columns.
            assert!(
                out.contains("allowed IPs")
                    && out.contains("uses left")
                    && (!out.contains("hidden")
                        || out.contains("hidden to fit the terminal: key (")),
                "{out}"
            );
        }
    }
}

/// Whether a cell is a whole table date, `YYYY-MM-DD HH:MMZ`.
fn regex_lite_date() -> impl Fn(&str) -> bool {
    |c: &str| {
        let b = c.as_bytes();
        b.len() == 17
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b' '
            && b[13] == b':'
            && b[16] == b'Z'
    }
}

#[test]
fn list_fits_every_width_exactly() {
    let env = TestEnv::new();
    env.create(
        "a-key-with-a-rather-long-name",
        &[
            "--scope",
            "deploy:write",
            "--allow-ip",
            "10.0.0.0/8",
            "--owner",
            "acme",
        ],
    );
    env.create("soon", &["--expires", "1d"]);
    for cols in [60u16, 72, 79, 80, 81, 100] {
        for no_color in [true, false] {
            let out = list_on_terminal(&env, cols, no_color);
            for line in out.lines() {
                let w = console_width(line);
                assert!(
                    w <= usize::from(cols),
                    "a line is {w} wide on a {cols}-column terminal (colour: {}):\n{out}",
                    !no_color
                );
            }
        }
    }
}

/// A terminal that says it has no size (`script` without one, an editor's shell) gets tables
/// 80 columns wide, as it gets charts, never a column a character wide; `COLUMNS` is followed
/// by tables and charts alike.
#[test]
fn tables_are_80_wide_on_a_terminal_without_a_size_and_follow_columns() {
    let env = TestEnv::new();
    let token = env.create(
        "a-key-with-a-rather-long-name",
        &["--scope", "deploy:write", "--owner", "acme"],
    );
    for _ in 0..3 {
        env.run_stdin(&["verify"], &token).code(0);
    }
    let widest = |out: &str| {
        out.lines()
            .filter(|l| l.contains('│'))
            .map(console_width)
            .max()
            .unwrap_or(0)
    };
    for args in ["list", "top", "usage"] {
        let out = on_terminal(&env, 0, true, args, None);
        let w = widest(&out);
        assert!(w <= 80, "{args}: {w} wide on a sizeless terminal\n{out}");
        // Laid out at 80 columns: the list cuts the long name, the others show it whole.
        let name = if args == "list" {
            "a-key-with-a-rather…"
        } else {
            "a-key-with-a-rather-long-name"
        };
        assert!(out.contains(name), "{args}:\n{out}");
    }
    let out = on_terminal(&env, 0, true, "list", Some(200));
    let w = widest(&out);
    assert!(
        (81..=200).contains(&w) && out.contains("created by"),
        "list: COLUMNS=200 gave {w}\n{out}"
    );
}
