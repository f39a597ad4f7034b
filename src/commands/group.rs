//! `apikeys group …`: named permission groups; a key's effective scopes include its groups'.

use super::Context;
use crate::error::{Error, Result};
use crate::ops::groups;
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

/// Runs a `group` subcommand.
pub fn run(ctx: &Context, cmd: GroupCommand) -> Result<()> {
    let now = crate::policy::now();
    match cmd {
        GroupCommand::Create { name, scopes } => {
            // Bad input is said before the store is unlocked (no passphrase asked for it).
            crate::model::check_name("group", &name)?;
            crate::model::split_scopes(&scopes)?;
            let mut store = ctx.open()?;
            let scopes = groups::create(&mut store, &name, &scopes, &ctx.actor(), now)?;
            report(ctx, &name, &scopes, "created")
        }
        GroupCommand::List => {
            let store = ctx.open()?;
            let groups = groups::with_members(store.conn())?;
            if ctx.json() {
                let list: Vec<_> = groups
                    .iter()
                    .map(|(g, s, n)| serde_json::json!({"name": g, "scopes": s, "keys": n}))
                    .collect();
                return output::print_json(&list);
            }
            if groups.is_empty() {
                ctx.note("no groups (create one with `apikeys group create NAME --scope S`)");
                return Ok(());
            }
            let mut t = output::table(&["group", "scopes", "keys"], ctx.color);
            for (g, s, n) in &groups {
                t.add_row(vec![
                    Cell::new(sanitize(g)),
                    Cell::new(sanitize(&s.join(", "))),
                    Cell::new(n),
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
            let mut store = ctx.open()?;
            let scopes = groups::edit(
                &mut store,
                &name,
                &add_scope,
                &remove_scope,
                &ctx.actor(),
                now,
            )?;
            report(ctx, &name, &scopes, "updated")
        }
        GroupCommand::Delete { name } => {
            let mut store = ctx.open()?;
            queries::group(store.conn(), &name)?;
            let using = groups::users(store.conn(), &name)?;
            if !using.is_empty() {
                let q = format!(
                    "Group {:?} is used by {}. Remove it from them and delete it?",
                    sanitize(&name),
                    super::describe_keys(&using)
                );
                if !(ctx.yes || ctx.interactive && crate::term::prompt::confirm(&q)?) {
                    return Err(Error::Unconfirmed {
                        what: format!(
                            "deleting group {:?}, which {} {},",
                            sanitize(&name),
                            crate::text::count(using.len(), "key"),
                            if using.len() == 1 { "uses" } else { "use" }
                        ),
                    });
                }
            }
            groups::delete(&mut store, &name, &ctx.actor(), now)?;
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
