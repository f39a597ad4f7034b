//! The operations every front end calls, written once: minting a key (`create`, `rotate`,
//! `import`), permission groups, the policy, and re-keying a store (`passwd`, `admin remove`). The command line is one front
//! end of them; the checks, errors and audit entries are theirs.

pub mod edit;
pub mod groups;
pub mod lifecycle;
pub mod mint;
pub mod policy;
pub mod rekey;
