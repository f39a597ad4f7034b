//! The `apikeys` binary: run, print the error once, exit with its code.

fn main() {
    std::process::exit(apikeys::run());
}
