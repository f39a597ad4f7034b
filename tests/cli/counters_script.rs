//! The Redis script against the Rust GCRA, and TLS to Redis checked.

use crate::counters::fleet;
use crate::fleet::snapshot_cmd;
use crate::redis::Redis;
use std::process::Stdio;

#[test]
fn the_redis_script_and_the_rust_gcra_decide_and_keep_the_same_one_request_or_several_a_call() {
    use apikeys::counters::redis::{Seed, invocation, redis_key, replay};
    use apikeys::engine::limits::{Limits, Rate, Refill, State, Verdict, decide};
    use proptest::prelude::*;
    let Some(redis) = Redis::start() else { return };
    let client = ::redis::Client::open(redis.url()).unwrap();
    let con = std::cell::RefCell::new(client.get_connection().unwrap());
    let case = std::cell::Cell::new(0u32);
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 48,
        ..Default::default()
    });
    let strategy = (
        proptest::collection::vec((1u64..40, 1u64..4000), 0..3),
        proptest::option::of(0i64..30),
        proptest::option::of((1i64..20, 1i64..5)),
        // Each step: the time since the last, and the costs of the requests that came
        // together (several go as one script, decided in order).
        proptest::collection::vec((0i64..700, proptest::collection::vec(1i64..5, 1..4)), 1..40),
    );
    runner
        .run(&strategy, |(rates, uses, refill, steps)| {
            case.set(case.get() + 1);
            let start = 1_790_000_000_000i64;
            let limits = Limits {
                rates: rates
                    .iter()
                    .map(|&(n, per_ms)| Rate { n, per_ms })
                    .collect(),
                refill: refill
                    .filter(|_| uses.is_some())
                    .map(|(n, every)| Refill { n, every }),
                created_at: start / 1000,
            };
            let id = format!("prop{}", case.get());
            let seed = Seed {
                remaining: uses,
                period: 0,
                at: 1,
            };
            let mut state = State {
                remaining: uses,
                ..State::default()
            };
            let mut now = start;
            for (gap, costs) in steps {
                now += gap;
                let reply: ::redis::Value = invocation(&id, &limits, seed, &costs, Some(now))
                    .invoke(&mut *con.borrow_mut())
                    .unwrap();
                // What the script decided, on its own: one digit a request.
                let ::redis::Value::Array(items) = &reply else {
                    panic!("{reply:?}")
                };
                let ::redis::Value::BulkString(said) = &items[0] else {
                    panic!("{reply:?}")
                };
                let mut want_verdicts = String::new();
                let mut wants = Vec::new();
                for &cost in &costs {
                    let want = decide(&limits, &state, cost, now);
                    want_verdicts.push(match want.verdict {
                        Verdict::Allowed => '0',
                        Verdict::RateLimited => '1',
                        Verdict::UsageExceeded => '2',
                    });
                    if want.verdict == Verdict::Allowed {
                        state = want.state.clone();
                    }
                    wants.push(want);
                }
                prop_assert_eq!(
                    String::from_utf8_lossy(said),
                    want_verdicts,
                    "{:?} at {}",
                    &limits,
                    now
                );
                // What it kept: the engine's state after the same requests.
                let mut fields = vec!["rem".to_string()];
                fields.extend(
                    limits
                        .rates
                        .iter()
                        .map(|r| format!("r{}/{}", r.n, r.per_ms)),
                );
                let kept: Vec<Option<String>> = ::redis::cmd("HMGET")
                    .arg(redis_key(&id))
                    .arg(&fields)
                    .query(&mut *con.borrow_mut())
                    .unwrap();
                prop_assert_eq!(
                    kept[0].as_deref().map(|r| r.parse::<i64>().unwrap()),
                    state.remaining
                );
                for (i, r) in limits.rates.iter().enumerate() {
                    let n = r.n as i64;
                    let tat = state.tats.get(i).copied().unwrap_or(0);
                    let want =
                        (tat > 0).then(|| format!("{}:{}", tat.div_euclid(n), tat.rem_euclid(n)));
                    prop_assert_eq!(kept[i + 1].clone(), want, "rate {}", r);
                }
                // And the answers: the engine's, replayed on what the script read.
                let got = replay(&limits, seed, &costs, &reply)
                    .expect("the script's verdicts are the engine's");
                // (Everything an answer says; the state to keep is Redis's.)
                let said = |d: &apikeys::engine::limits::Decision| {
                    (
                        d.verdict,
                        d.retry_after,
                        d.headroom,
                        d.remaining,
                        d.refills_at,
                    )
                };
                let got: Vec<_> = got.decisions.iter().map(said).collect();
                let wants: Vec<_> = wants.iter().map(said).collect();
                prop_assert_eq!(got, wants);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn rediss_checks_the_server_certificate_and_fails_closed_on_one_it_cannot_trust() {
    if !crate::redis::available() {
        return;
    }
    let f = fleet();
    let dir = f.env.path("tls");
    std::fs::create_dir_all(&dir).unwrap();
    let sh = |cmd: &str| {
        let ok = std::process::Command::new("sh")
            .args(["-c", cmd])
            .current_dir(&dir)
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "{cmd}");
    };
    // A test CA, and a certificate for 127.0.0.1 signed by it.
    sh(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=apikeys-test-ca",
    );
    sh(
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout srv.key -out srv.csr -subj /CN=localhost",
    );
    sh(
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost' > ext && openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 -extfile ext",
    );
    let tls_port = crate::server::free_port().to_string();
    let d = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let (cert, key, ca) = (d("srv.crt"), d("srv.key"), d("ca.crt"));
    let Some(_redis) = Redis::with(&[
        "--tls-port",
        &tls_port,
        "--tls-cert-file",
        &cert,
        "--tls-key-file",
        &key,
        "--tls-ca-cert-file",
        &ca,
        "--tls-auth-clients",
        "no",
    ]) else {
        return;
    };
    let url = format!("rediss://127.0.0.1:{tls_port}");
    let run = |trust: Option<&str>| {
        let mut cmd = snapshot_cmd(
            &f.env,
            "verify",
            "v.snap",
            "v.key",
            &["--counters", &url, "--counters-timeout", "5s"],
        );
        match trust {
            Some(ca) => cmd.env("SSL_CERT_FILE", ca),
            None => cmd.env("SSL_CERT_FILE", "/nonexistent"),
        };
        crate::harness::TestEnv::feed(cmd, &format!("{}\n", f.four))
    };
    run(Some(&ca)).code(0);
    run(Some(&ca)).code(0);
    // A certificate from a CA this machine does not trust: no counters, so no grant.
    run(None).code(19);
}
