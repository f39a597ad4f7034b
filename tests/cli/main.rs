//! Integration tests: the real `apikeys` binary in temp dirs, one test binary (as ripgrep does).

mod concurrency;
mod crash;
mod harness;
mod lifecycle;
mod rotate;
mod store;
mod verify;
