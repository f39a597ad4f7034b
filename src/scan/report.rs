//! What a scan prints: a table for people, json for scripts, SARIF 2.1.0 for code-scanning
//! dashboards. Only masked keys, in every format.

use super::{Finding, Status};
use serde_json::{Value, json};

/// The location of a finding as people read it: `path:line:col` (`commit:path:line:col`).
pub fn location(f: &Finding) -> String {
    match &f.commit {
        Some(c) => format!(
            "{}:{}:{}:{}",
            &c[..c.len().min(12)],
            f.path,
            f.line,
            f.column
        ),
        None => format!("{}:{}:{}", f.path, f.line, f.column),
    }
}

/// A path as a SARIF `uri`: a relative URI reference, every byte but the unreserved ones and
/// `/` percent-encoded (a space, `#`, `%`, non-ASCII names).
fn uri_of(path: &str) -> String {
    crate::text::percent_encode(path, b"-._~/")
}

fn rule_id(s: Status) -> String {
    format!("apikeys/{}-token", s.as_str())
}

fn rule(s: Status) -> Value {
    let text = match s {
        Status::Live => {
            "A live apikeys token: anyone who reads it can use it. Revoke it (apikeys scan --revoke, or apikeys revoke KEY) and remove it."
        }
        Status::Unchecked => {
            "An apikeys token that could not be checked against a store or snapshot: treat it as live."
        }
        Status::Revoked => "A revoked apikeys token: harmless now, but remove it.",
        Status::Expired => "An expired apikeys token: harmless now, but remove it.",
        Status::Unknown => {
            "An apikeys-shaped token this store does not know (another store's, or a deleted key's)."
        }
    };
    json!({
        "id": rule_id(s),
        "name": format!("{}ApikeysToken", match s {
            Status::Live => "Live", Status::Unchecked => "Unchecked", Status::Revoked => "Revoked",
            Status::Expired => "Expired", Status::Unknown => "Unknown",
        }),
        "shortDescription": {"text": format!("{} apikeys token", s.as_str())},
        "fullDescription": {"text": text},
        "defaultConfiguration": {"level": if s.fails() { "error" } else { "warning" }},
    })
}

/// The findings as a SARIF 2.1.0 log.
pub fn sarif(findings: &[Finding]) -> Value {
    let statuses = [
        Status::Live,
        Status::Unchecked,
        Status::Revoked,
        Status::Expired,
        Status::Unknown,
    ];
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut r = json!({
                "ruleId": rule_id(f.status),
                "ruleIndex": statuses.iter().position(|s| *s == f.status).unwrap_or(0),
                "level": if f.status.fails() { "error" } else { "warning" },
                "message": {"text": format!(
                    "{} apikeys token {}{}",
                    f.status.as_str(),
                    f.key,
                    f.name.as_deref().map(|n| format!(" (key {n:?})")).unwrap_or_default()
                )},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri_of(&f.path)},
                    "region": {"startLine": f.line, "startColumn": f.column},
                }}],
                "partialFingerprints": {"apikeysKeyId": f.key_id, "apikeysFinding/v1": f.fingerprint},
            });
            if let Some(c) = &f.commit {
                r["properties"] = json!({"commit": c});
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "apikeys",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": statuses.iter().map(|s| rule(*s)).collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn sarif_uris_are_uri_references() {
        assert_eq!(super::uri_of("src/app.py"), "src/app.py");
        assert_eq!(super::uri_of("my dir/a#b%.txt"), "my%20dir/a%23b%25.txt");
        assert_eq!(super::uri_of("é.env"), "%C3%A9.env");
    }
}
