//! Integration tests: the real `apikeys` binary in temp dirs, one test binary (as ripgrep does).

mod clipboard;
mod concurrency;
mod crash;
mod delivery;
mod failclosed;
mod faults;
mod fleet;
mod gateways;
mod generated;
mod harness;
mod housekeeping;
mod leaks;
mod lifecycle;
mod props;
mod pty;
mod readme;
mod rotate;
mod security;
mod serve;
mod server;
mod store;
mod systemd;
mod tamper;
mod usability;
mod verify;
mod whose;
