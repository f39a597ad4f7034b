//! Integration tests: the real `apikeys` binary in temp dirs, one test binary (as ripgrep does).

mod clipboard;
mod concurrency;
mod crash;
mod generated;
mod harness;
mod leaks;
mod lifecycle;
mod pty;
mod readme;
mod rotate;
mod store;
mod tamper;
mod verify;
