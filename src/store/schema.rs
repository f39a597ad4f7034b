//! The database schema, versioned with `PRAGMA user_version` and upgraded by migrations.

use crate::error::Result;
use crate::secret::Key32;
use rusqlite::{Connection, OptionalExtension};

/// Each entry upgrades the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE keys (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    check_code    TEXT NOT NULL,
    secret_hash   BLOB NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0,
    revoked_reason TEXT,
    created_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL,
    expires_at    INTEGER,
    last_used_at  INTEGER,
    use_count     INTEGER NOT NULL DEFAULT 0,
    description   TEXT NOT NULL DEFAULT '',
    scopes        TEXT NOT NULL DEFAULT '[]',
    group_names   TEXT NOT NULL DEFAULT '[]',
    allowed_ips   TEXT NOT NULL DEFAULT '[]',
    rotated_from  TEXT,
    rotated_to    TEXT
) STRICT;
-- A name addresses the current key: superseded (rotated) keys keep their name but give it up.
CREATE UNIQUE INDEX keys_current_name ON keys(name) WHERE rotated_to IS NULL;
CREATE TABLE permission_groups (
    name       TEXT PRIMARY KEY NOT NULL,
    scopes     TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE policy (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
INSERT INTO policy(name, value) VALUES ('max_lifetime', '31536000'), ('default_lifetime', '31536000');
CREATE TABLE audit (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    key_id   TEXT,
    key_name TEXT,
    details  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_key ON audit(key_id);
"#,
    // Version 2: the pepper is 32 random bytes kept in the sealed database, so that the data key
    // can be replaced (`passwd` re-keys) without touching a stored hash. Stores from version 1
    // get the pepper they derived from their data key, written by `ensure_pepper` on open.
    r#"
CREATE TABLE store_secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) STRICT;
"#,
    // Version 3: whose a key is (owner, meta) and how often it may still be used (NULL: no
    // limit).
    r#"
ALTER TABLE keys ADD COLUMN owner TEXT;
ALTER TABLE keys ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';
ALTER TABLE keys ADD COLUMN remaining_uses INTEGER;
"#,
    // Version 4: the high-water mark of each verifier node's usage log, so that importing a
    // log twice changes nothing; an index on every name.
    r#"
CREATE TABLE usage_nodes (
    node TEXT PRIMARY KEY NOT NULL,
    seq  INTEGER NOT NULL
) STRICT;
-- Every name, current or superseded: a new id is checked against all of them.
CREATE INDEX keys_name ON keys(name);
"#,
    r#"
-- Rate limits as a json list of "N/DUR" ("100/1s"); a refill "N/DUR" or NULL; the refill
-- period remaining_uses belongs to; the GCRA state of each rate (see engine/limits.rs).
ALTER TABLE keys ADD COLUMN rates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE keys ADD COLUMN refill TEXT;
ALTER TABLE keys ADD COLUMN refill_period INTEGER NOT NULL DEFAULT 0;
ALTER TABLE keys ADD COLUMN rate_state TEXT NOT NULL DEFAULT '[]';
"#,
    r#"
-- The client address of the latest recorded use (SPEC §12).
ALTER TABLE keys ADD COLUMN last_used_ip TEXT;
"#,
];

/// The schema version this build writes.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

/// A value of the sealed `store_secrets` table (pepper, signing key, export generation).
pub fn secret(conn: &Connection, name: &str) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    let v: Option<Vec<u8>> = conn
        .query_row(
            "SELECT value FROM store_secrets WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.map(zeroize::Zeroizing::new))
}

/// Sets a value of the `store_secrets` table.
pub fn set_secret(conn: &Connection, name: &str, value: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO store_secrets (name, value) VALUES (?1, ?2)",
        rusqlite::params![name, value],
    )?;
    Ok(())
}

/// The pepper under which secrets are hashed, if the database holds one.
pub fn pepper(conn: &Connection) -> Result<Option<Key32>> {
    Ok(secret(conn, "pepper")?
        .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
        .map(Key32::from_bytes))
}

/// Writes the pepper into the database (a new store's random one, or a migrated store's).
pub fn set_pepper(conn: &Connection, pepper: &Key32) -> Result<()> {
    set_secret(conn, "pepper", pepper.expose_secret())
}

/// The schema version of an opened database.
pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the database up to [`CURRENT`]. The caller has checked it is not newer.
pub fn migrate(conn: &Connection) -> Result<()> {
    let from = version(conn)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        conn.execute_batch(&format!(
            "BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_migrates_to_current_and_again_is_a_no_op() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        assert_eq!(version(&conn).unwrap(), CURRENT);
        migrate(&conn).unwrap();
        let max: String = conn
            .query_row(
                "SELECT value FROM policy WHERE name='max_lifetime'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(max, "31536000");
    }
}
