//! Issue 33's low items: descriptions bounded and never a token, deletes give the space back, invisible and bidirectional characters never reach the terminal.

use crate::harness::TestEnv;

#[test]
fn descriptions_are_bounded_never_hold_a_token_and_deletes_give_the_space_back() {
    let env = TestEnv::new();
    let live = env.create("live", &[]);
    let long = "d".repeat(1025);
    let out = env
        .run(&["create", "--name", "a", "--description", &long])
        .code(2);
    assert!(out.stderr.contains("1025 characters"), "{}", out.stderr);
    env.run(&[
        "create",
        "--name",
        "a",
        "--description",
        &long[1..],
        "--no-clipboard",
    ])
    .code(0);
    // A token pasted into the description is refused (and never echoed back), everywhere.
    for desc in [
        format!("rotated; the new one is {live}"),
        format!("key_{live}"),
    ] {
        let out = env
            .run(&["create", "--name", "b", "--description", &desc])
            .code(2);
        assert!(out.stderr.contains("holds an API token"), "{}", out.stderr);
        assert!(
            !out.stderr.contains(&live[10..40]),
            "echoed: {}",
            out.stderr
        );
        env.run(&["edit", "a", "--description", &desc]).code(2);
    }
    let line = format!("{{\"name\":\"c\",\"description\":\"see {live}\"}}\n");
    let input = env.write("one.jsonl", &line);
    let out = env
        .run(&[
            "import",
            input.to_str().unwrap(),
            "--secret-file",
            env.path("t.jsonl").to_str().unwrap(),
        ])
        .code(2);
    assert!(!out.stderr.contains(&live[10..40]), "{}", out.stderr);
    // --refill is bounded like --uses.
    env.run(&[
        "create",
        "--name",
        "r",
        "--uses",
        "5",
        "--refill",
        "9223372036854775807/1d",
    ])
    .code(2);
    // Many long descriptions, then deleted: the store shrinks again.
    let lines: String = (0..300)
        .map(|i| {
            format!(
                "{{\"name\":\"big-{i}\",\"description\":\"{}\"}}\n",
                "x".repeat(1000)
            )
        })
        .collect();
    let input = env.write("big.jsonl", &lines);
    env.run(&[
        "import",
        input.to_str().unwrap(),
        "--secret-file",
        env.path("big.tokens").to_str().unwrap(),
    ])
    .code(0);
    let full = std::fs::metadata(&env.store).unwrap().len();
    let names: Vec<String> = (0..300).map(|i| format!("big-{i}")).collect();
    let mut args = vec!["delete", "--yes"];
    args.extend(names.iter().map(String::as_str));
    env.run(&args).code(0);
    let after = std::fs::metadata(&env.store).unwrap().len();
    assert!(after * 4 < full, "{full} bytes, {after} after deleting");
}

#[test]
fn bidirectional_controls_never_reach_the_terminal() {
    let env = TestEnv::new();
    let rlo = "\u{202E}";
    env.run(&[
        "create",
        "--name",
        "k",
        "--description",
        &format!("evil{rlo}txt.exe"),
        "--no-clipboard",
    ])
    .code(0);
    let show = env.run(&["show", "k"]).code(0).stdout;
    assert!(!show.contains(rlo) && show.contains("\\u{202e}"), "{show}");
    let mut c = env.cmd(&["revoke", "k", "--yes", "--actor", &format!("ci{rlo}job")]);
    c.stdin(std::process::Stdio::null());
    crate::harness::finish(c.output().unwrap()).code(0);
    let log = env.run(&["log", "--key", "k"]).code(0).stdout;
    assert!(!log.contains(rlo) && log.contains("\\u{202e}"), "{log}");
    let out = env.run(&["show", &format!("no{rlo}such")]).code(5);
    assert!(!out.stderr.contains(rlo), "{}", out.stderr);
    // A scanned file whose name carries one.
    let live = env.create("live", &[]);
    let tree = env.path("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join(format!("a{rlo}b.txt")), format!("{live}\n")).unwrap();
    let out = env.run(&["scan", tree.to_str().unwrap()]).code(20);
    assert!(
        !out.stdout.contains(rlo) && out.stdout.contains("\\u{202e}"),
        "{}",
        out.stdout
    );
}
