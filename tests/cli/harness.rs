//! The test environment: a temp dir holding a store, and helpers to run the binary against it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_apikeys");
/// The passphrase of every test store.
pub const PASS: &str = "correct horse battery";

/// One temp dir with a store and a key file.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub store: PathBuf,
    pub key_file: PathBuf,
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing all output when it differs.
    #[track_caller]
    pub fn code(self, want: i32) -> Self {
        assert_eq!(
            self.code, want,
            "unexpected exit code\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// Parses stdout as JSON lines (one value a line), as a json array.
    #[track_caller]
    pub fn json_lines(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.stdout
                .lines()
                .map(|l| {
                    serde_json::from_str(l).unwrap_or_else(|e| panic!("not a json line ({e}): {l}"))
                })
                .collect(),
        )
    }

    /// Parses stdout as json.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not json ({e}): {}", self.stdout))
    }
}

pub fn finish(out: Output) -> Run {
    Run {
        // A kill by signal has no code; report it as -1 so that assertions fail clearly.
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl TestEnv {
    /// A temp dir with no store yet.
    pub fn bare() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().join("data").join("apikeys.store");
        let key_file = dir.path().join("ci.key");
        TestEnv {
            dir,
            store,
            key_file,
        }
    }

    /// A temp dir with an initialised store (cheap KDF) and a key file.
    pub fn new() -> Self {
        let env = Self::bare();
        env.init();
        env
    }

    /// Initialises the store at `self.store` with a cheap KDF and the key file.
    pub fn init(&self) {
        let kf = self.key_file.to_str().unwrap().to_string();
        self.with_pass(&[
            "init",
            "--kdf-memory",
            "1",
            "--kdf-iterations",
            "1",
            "--with-key-file",
            &kf,
        ])
        .code(0);
    }

    /// A path inside the temp dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A command with a clean environment: the store set, nothing to unlock with, no terminal.
    /// It runs in a session of its own (`setsid`, which execs in place: same pid, same exit
    /// status), so that a passphrase prompt cannot reach the terminal `cargo test` runs in.
    pub fn bare_cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("setsid");
        c.arg(BIN)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("APIKEYS_STORE", &self.store)
            .env("APIKEYS_ACTOR", "tester")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        c
    }

    /// A command that unlocks with the key file.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = self.bare_cmd(args);
        c.env("APIKEYS_KEY_FILE", &self.key_file);
        c
    }

    /// Runs with the key file.
    pub fn run(&self, args: &[&str]) -> Run {
        finish(self.cmd(args).output().expect("run apikeys"))
    }

    /// Runs with the passphrase in APIKEYS_PASSPHRASE.
    pub fn with_pass(&self, args: &[&str]) -> Run {
        finish(
            self.bare_cmd(args)
                .env("APIKEYS_PASSPHRASE", PASS)
                .output()
                .expect("run apikeys"),
        )
    }

    /// Runs a prepared command with `input` on stdin.
    pub fn feed(mut cmd: Command, input: &str) -> Run {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child.stdin.take().unwrap().write_all(input.as_bytes()).ok();
        finish(child.wait_with_output().expect("wait"))
    }

    /// Runs with the key file and `input` on stdin.
    pub fn run_stdin(&self, args: &[&str], input: &str) -> Run {
        Self::feed(self.cmd(args), input)
    }

    /// Creates a key and returns its token.
    pub fn create(&self, name: &str, extra: &[&str]) -> String {
        let mut args = vec!["create", "--name", name, "--no-clipboard"];
        args.extend_from_slice(extra);
        let out = self.run(&args).code(0);
        let token = out.stdout.trim().to_string();
        assert!(
            token.starts_with(&format!("{}_", prefix_of(extra))),
            "no token printed: {out:?}"
        );
        token
    }

    /// Verifies a token with extra arguments; returns the run.
    pub fn verify(&self, token: &str, extra: &[&str]) -> Run {
        let mut args = vec!["verify"];
        args.extend_from_slice(extra);
        self.run_stdin(&args, &format!("{token}\n"))
    }

    /// `list --format json` as a vector of key objects.
    pub fn keys(&self) -> Vec<serde_json::Value> {
        self.run(&["list", "--format", "json"])
            .code(0)
            .json()
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The admin of `admin list --format json` whose `field` is `value`.
    pub fn admin_where(&self, field: &str, value: &str) -> serde_json::Value {
        let admins = self
            .run(&["admin", "list", "--format", "json"])
            .code(0)
            .json();
        admins
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a[field] == value)
            .unwrap_or_else(|| panic!("no admin with {field} {value}: {admins}"))
            .clone()
    }

    /// The names `list --format json` shows, with extra filter arguments.
    pub fn names(&self, filters: &[&str]) -> Vec<String> {
        let mut args = vec!["list", "--format", "json"];
        args.extend_from_slice(filters);
        self.run(&args)
            .code(0)
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["name"].as_str().unwrap().to_string())
            .collect()
    }

    /// One key's json by name or id.
    pub fn key(&self, key: &str) -> serde_json::Value {
        self.run(&["show", key, "--format", "json"]).code(0).json()
    }

    /// The store file's bytes.
    pub fn store_bytes(&self) -> Vec<u8> {
        std::fs::read(&self.store).expect("read store")
    }

    /// Writes a file with the given text.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

fn prefix_of<'a>(extra: &[&'a str]) -> &'a str {
    extra
        .iter()
        .position(|a| *a == "--prefix")
        .map_or("ak", |i| extra[i + 1])
}

/// The mode bits of a file.
/// One field of each object of a json list (or json lines).
pub fn pluck(list: &serde_json::Value, field: &str) -> Vec<serde_json::Value> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e[field].clone())
        .collect()
}

pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The length of a store file's header (format 2, SPEC §13 and docs/store-format.md),
/// walked here so that the tests do not trust the code under test: per slot, kind, name
/// (a length byte and the name), created (8), KDF (12), salt (16), then the recipient and the
/// sealed key, each after a big-endian u16 length.
pub fn header_len(store: &[u8]) -> usize {
    let mut at = 27;
    for _ in 0..store[26] {
        at += 2 + store[at + 1] as usize + 8 + 12 + 16;
        for _ in 0..2 {
            at += 2 + u16::from_be_bytes([store[at], store[at + 1]]) as usize;
        }
    }
    at + 24 + 4
}

/// Where slot 0's KDF settings start (memory, iterations, lanes: big-endian u32 each).
pub fn slot0_kdf(store: &[u8]) -> usize {
    27 + 2 + store[28] as usize + 8
}

/// CRC32 (IEEE), written out here so that the tests do not trust the code under test.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A store's bytes with the header checksum recomputed: a deliberate forgery.
pub fn with_crc(mut store: Vec<u8>) -> Vec<u8> {
    let h = header_len(&store);
    let crc = crc32(&store[..h - 4]);
    store[h - 4..h].copy_from_slice(&crc.to_be_bytes());
    store
}

/// Whether a program is on PATH.
/// A test that needs a tool it cannot find. Under CI (`CI` set) that fails the test, because
/// .ci/run installs every tool the suite uses; elsewhere it says SKIPPED and the caller
/// returns. A test never passes by skipping where it is meant to run.
#[track_caller]
pub fn missing(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} under CI: .ci/run installs every tool the suite uses"
    );
    eprintln!("SKIPPED: {what} (.ci/run installs it)");
}

pub fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether `data_key` decrypts the payload of the store file `bytes` (header as AAD).
pub fn opens(bytes: &[u8], data_key: &apikeys::secret::Key32) -> bool {
    let Ok((h, len)) = apikeys::store::format::Header::decode(bytes) else {
        return false;
    };
    let (ct, tag) = bytes[len..].split_at(bytes.len() - len - apikeys::store::crypto::TAG_LEN);
    let mut buf = ct.to_vec();
    apikeys::store::crypto::open_in_place(
        data_key,
        &h.payload_nonce,
        &bytes[..len],
        &mut buf,
        tag.try_into().unwrap(),
    )
}

/// Waits until `cond` holds, looking every 50 ms for at most 10 s (then fails the test): time
/// is polled for, never slept through.
#[track_caller]
pub fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} never happened"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The time `secs` from now, as `verify --at` takes it.
pub fn in_secs(secs: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(secs)).to_rfc3339()
}
