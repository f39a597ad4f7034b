//! `apikeys group …`: named permission groups; a key's effective scopes include its groups'.

use super::Context;
use crate::error::{Error, Result};
use crate::model::{self, add_unique};
use crate::store::queries;
use crate::term::output;
use crate::text::sanitize;
use clap::Subcommand;
use comfy_table::Cell;

/// The `group` subcommands.
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group with its scopes
    Create {
        /// The group's name
        name: String,
        /// A scope of the group (repeatable, at least one)
        #[arg(long = "scope", value_name = "S", required = true)]
        scopes: Vec<String>,
    },
    /// List groups, their scopes and how many keys use them
    List,
    /// Change a group's scopes
    Edit {
        /// The group's name
        name: String,
        /// Add a scope (repeatable)
        #[arg(long, value_name = "S")]
        add_scope: Vec<String>,
        /// Remove a scope (repeatable)
        #[arg(long, value_name = "S")]
        remove_scope: Vec<String>,
    },
    /// Delete a group; if keys use it, --yes also removes it from them
    Delete {
        /// The group's name
        name: String,
    },
}

fn users(conn: &rusqlite::Connection, group: &str) -> Result<Vec<crate::model::KeyRecord>> {
    Ok(queries::all_keys(conn)?
        .into_iter()
        .filter(|k| k.groups.iter().any(|g| g == group))
        .collect())
}

/// Runs a `group` subcommand.
pub fn run(ctx: &Context, cmd: GroupCommand) -> Result<()> {
    let now = crate::policy::now();
    match cmd {
        GroupCommand::Create { name, scopes } => {
            model::check_name("group", &name)?;
            let scopes = model::split_scopes(&scopes)?;
            let mut store = ctx.open()?;
            store.write(|tx, _| {
                queries::insert_group(tx, &name, &scopes, now)?;
                queries::audit(
                    tx,
                    now,
                    &ctx.actor(),
                    "group create",
                    None,
                    &format!("{name}: [{}]", scopes.join(", ")),
                )
            })?;
            report(ctx, &name, &scopes, "created")
        }
        GroupCommand::List => {
            let store = ctx.open()?;
            let groups = queries::groups(store.conn())?;
            let keys = queries::all_keys(store.conn())?;
            let count = |g: &str| {
                keys.iter()
                    .filter(|k| k.groups.iter().any(|x| x == g))
                    .count()
            };
            if ctx.json() {
                let list: Vec<_> = groups
                    .iter()
                    .map(|(g, s)| serde_json::json!({"name": g, "scopes": s, "keys": count(g)}))
                    .collect();
                return output::print_json(&list);
            }
            if groups.is_empty() {
                ctx.note("no groups (create one with `apikeys group create NAME --scope S`)");
                return Ok(());
            }
            let mut t = output::table(&["group", "scopes", "keys"], ctx.color);
            for (g, s) in &groups {
                t.add_row(vec![
                    Cell::new(sanitize(g)),
                    Cell::new(sanitize(&s.join(", "))),
                    Cell::new(count(g)),
                ]);
            }
            crate::term::output::print_line(&t.to_string())?;
            Ok(())
        }
        GroupCommand::Edit {
            name,
            add_scope,
            remove_scope,
        } => {
            let add_scope = model::split_scopes(&add_scope)?;
            let remove_scope = model::split_scopes(&remove_scope)?;
            let mut store = ctx.open()?;
            let scopes = store.write(|tx, _| {
                let mut scopes = queries::group(tx, &name)?;
                let before = scopes.clone();
                for s in &add_scope {
                    add_unique(&mut scopes, s);
                }
                scopes.retain(|s| !remove_scope.contains(s));
                if scopes == before {
                    // As `edit` says: a change that changes nothing is a mistake worth naming.
                    return Err(crate::error::Error::usage(
                        "nothing to change",
                        "the group already has these scopes; see them with `apikeys group list`",
                    ));
                }
                queries::update_group(tx, &name, &scopes)?;
                queries::audit(
                    tx,
                    now,
                    &ctx.actor(),
                    "group edit",
                    None,
                    &format!("{name}: [{}]", scopes.join(", ")),
                )?;
                Ok(scopes)
            })?;
            report(ctx, &name, &scopes, "updated")
        }
        GroupCommand::Delete { name } => {
            let mut store = ctx.open()?;
            queries::group(store.conn(), &name)?;
            let using = users(store.conn(), &name)?;
            if !using.is_empty() {
                let q = format!(
                    "Group {:?} is used by {}. Remove it from them and delete it?",
                    sanitize(&name),
                    super::describe_keys(&using)
                );
                if !(ctx.yes || ctx.interactive && crate::term::prompt::confirm(&q)?) {
                    return Err(Error::Unconfirmed {
                        what: format!(
                            "deleting group {:?}, which {} key(s) use,",
                            sanitize(&name),
                            using.len()
                        ),
                    });
                }
            }
            store.write(|tx, _| {
                queries::group(tx, &name)?;
                for mut k in users(tx, &name)? {
                    k.groups.retain(|g| *g != name);
                    queries::update_key(tx, &k)?;
                    queries::audit(
                        tx,
                        now,
                        &ctx.actor(),
                        "edit",
                        Some(&k),
                        &format!("removed from deleted group {name}"),
                    )?;
                }
                queries::delete_group(tx, &name)?;
                queries::audit(tx, now, &ctx.actor(), "group delete", None, &name)
            })?;
            if ctx.json() {
                output::print_json(&serde_json::json!({"deleted": name}))
            } else {
                ctx.note(&format!("deleted group {:?}", sanitize(&name)));
                Ok(())
            }
        }
    }
}

fn report(ctx: &Context, name: &str, scopes: &[String], verb: &str) -> Result<()> {
    if ctx.json() {
        output::print_json(&serde_json::json!({"name": name, "scopes": scopes}))
    } else {
        ctx.note(&format!(
            "{verb} group {:?}: {}",
            sanitize(name),
            sanitize(&scopes.join(", "))
        ));
        Ok(())
    }
}
