//! The operations every front end calls, written once: minting a key (`create`, `rotate`,
//! `import`), editing it, permission groups, the policy, and re-keying a store (`passwd`,
//! `admin remove`). The command line and the console are front ends of them; the checks,
//! errors and audit entries are theirs.

pub mod edit;
pub mod groups;
pub mod lifecycle;
pub mod mint;
pub mod policy;
pub mod rekey;
