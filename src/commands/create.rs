//! `apikeys create`: mint a key; on a terminal without `--name`, a wizard asks for its settings.

use super::Context;
use super::reveal::{Reveal, RevealArgs};
use crate::error::{Error, Result};
use crate::model::{self, KeyRecord};
pub use crate::ops::mint::{Settings, Whose, check_whose, describe, dry_run, mint, mint_with};
use crate::policy::{self, Policy};
use crate::store::queries;
use crate::token;

/// Arguments of `create`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  apikeys create --name ci-deploy --expires 30d --scope deploy:write --allow-ip 10.0.0.0/8\n  TOKEN=$(apikeys create --name local-dev --expires 1h --no-clipboard)\n  apikeys create            # on a terminal: a wizard asks"
)]
pub struct Args {
    /// The key's unique name (1-64 printable characters); without it a terminal runs a wizard
    #[arg(long)]
    pub name: Option<String>,
    /// 1h, 12h, 1d, 5d, 1y, a duration (30m, 10d, 6w), a date, an RFC 3339 time, or never
    #[arg(long, value_name = "E")]
    pub expires: Option<String>,
    /// A scope the key grants (repeatable)
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// A permission group whose scopes the key also grants (repeatable)
    #[arg(long = "group", value_name = "G")]
    pub groups: Vec<String>,
    /// An IP address or CIDR the key may be used from (repeatable; none = any)
    #[arg(long = "allow-ip", value_name = "CIDR")]
    pub allow_ips: Vec<String>,
    /// The token prefix, [a-z][a-z0-9]{0,15}
    #[arg(long, default_value = token::DEFAULT_PREFIX)]
    pub prefix: String,
    /// A free-text description
    #[arg(long, value_name = "D")]
    pub description: Option<String>,
    /// Who the key belongs to (a customer, a service; up to 128 characters)
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// A KEY=VALUE pair returned by verify and serve (repeatable, at most 16)
    #[arg(long = "meta", value_name = "K=V")]
    pub meta: Vec<String>,
    /// How many times the key may be used (each valid verify takes one, or its cost)
    #[arg(long, value_name = "N")]
    pub uses: Option<String>,
    /// With --uses: set the remaining uses back to N every DUR from creation (1000/30d)
    #[arg(long, value_name = "N/DUR", requires = "uses")]
    pub refill: Option<String>,
    /// At most N valid answers in any window of DUR, e.g. 100/1s (repeatable: all must pass)
    #[arg(long = "rate", value_name = "N/DUR")]
    pub rates: Vec<String>,
    #[command(flatten)]
    pub reveal: RevealArgs,
}

/// Checks scopes and IPs (see [`crate::ops::mint::check_lists`]), saying on stderr when a
/// network was given with host bits.
pub fn check_lists(
    ctx: &Context,
    scopes: &[String],
    ips: &[String],
) -> Result<(Vec<String>, Vec<String>)> {
    crate::ops::mint::check_lists(&|m| ctx.note(m), scopes, ips)
}

/// Runs `create`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let (owner, meta, remaining) =
        check_whose(args.owner.as_deref(), &args.meta, args.uses.as_deref())?;
    let mut store = ctx.open()?;
    let settings = match args.name.clone() {
        Some(name) => Settings {
            name,
            expiry: args.expires.clone(),
            scopes: args.scopes.clone(),
            groups: args.groups.clone(),
            allowed_ips: args.allow_ips.clone(),
            prefix: args.prefix.clone(),
            description: args.description.clone().unwrap_or_default(),
            ..Settings::default()
        },
        None if ctx.interactive => wizard(store.conn(), &args)?,
        None => {
            return Err(Error::usage(
                "--name is required without a terminal",
                "pass --name NAME (a wizard runs only on a terminal)",
            ));
        }
    };
    let settings = crate::ops::mint::checked(
        settings,
        (owner, meta, remaining),
        &args.rates,
        args.refill.as_deref(),
        &|m| ctx.note(m),
    )?;
    let now = policy::now();
    // Fail fast on what the snapshot already shows; the write checks again under the lock.
    if settings.expiry.is_some() {
        let expiry = policy::parse_expiry(settings.expiry.as_deref().unwrap_or_default(), now)?;
        Policy::load(store.conn())?.check(now, expiry)?;
    }
    let reveal = Reveal::prepare(&args.reveal)?;
    let pepper = store.pepper();
    let new = token::generate(&settings.prefix)?;
    let insert = |tx: &rusqlite::Connection| -> Result<KeyRecord> {
        queries::check_name_free(tx, &settings.name, None)?;
        let record = mint_with(tx, &pepper, &ctx.actor(), &settings, now, &new)?;
        queries::audit(
            tx,
            now,
            &ctx.actor(),
            "create",
            Some(&record),
            &describe(&record),
        )?;
        Ok(record)
    };
    super::reveal::deliver_then_commit(ctx, &mut store, reveal, &new.token, "created", insert)
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// The terminal wizard: name, expiry, scopes and groups, allowed IPs.
fn wizard(conn: &rusqlite::Connection, args: &Args) -> Result<Settings> {
    // The name is checked as the insert will check it (a live key's name in any case, or a
    // key's id), so that a refused name is asked again here, not refused after every answer.
    let name = crate::term::prompt::input("Name", false, |s| {
        model::check_name("key", s).map_err(|e| e.to_string())?;
        queries::check_name_free(conn, s, None)
            .and_then(|()| queries::check_name_free_of_ids(conn, s, ""))
            .map_err(|e| e.to_string())
    })?;
    // Each answer is checked against the policy when it is given, and asked again if refused.
    let rules = Policy::load(conn)?;
    let allowed = |s: &str| -> std::result::Result<(), String> {
        let now = policy::now();
        let e = policy::parse_expiry(s, now).map_err(|e| e.to_string())?;
        rules.check(now, e).map_err(|e| match e.hint() {
            Some(h) => format!("{e} ({h})"),
            None => e.to_string(),
        })
    };
    let mut presets: Vec<String> = policy::PRESETS.iter().map(|p| p.to_string()).collect();
    presets.push("Custom".into());
    let expiry = loop {
        let pick = crate::term::prompt::select("Expires in", &presets, presets.len() - 2)?;
        if pick == presets.len() - 1 {
            break crate::term::prompt::input(
                "Expiry (duration, date or RFC 3339 time)",
                false,
                |s: &String| allowed(s),
            )?;
        }
        match allowed(&presets[pick]) {
            Ok(()) => break presets[pick].clone(),
            Err(why) => eprintln!("{why}"),
        }
    };
    let groups = queries::groups(conn)?;
    let mut known_scopes: Vec<String> = Vec::new();
    for k in queries::all_keys(conn)? {
        for s in k.scopes {
            model::add_unique(&mut known_scopes, &s);
        }
    }
    let mut items: Vec<String> = groups.keys().map(|g| format!("group: {g}")).collect();
    items.extend(known_scopes.iter().map(|s| format!("scope: {s}")));
    let (mut scopes, mut picked_groups) = (Vec::new(), Vec::new());
    if !items.is_empty() {
        for i in crate::term::prompt::multi_select(
            "Scopes and groups (space to pick, enter to go on)",
            &items,
        )? {
            match items[i].split_once(": ") {
                Some(("group", g)) => picked_groups.push(g.to_string()),
                Some((_, s)) => scopes.push(s.to_string()),
                None => {}
            }
        }
    }
    // "More" only after a list to pick from.
    let ask = if items.is_empty() {
        "Scopes, comma-separated (empty for none)"
    } else {
        "More scopes, comma-separated (empty for none)"
    };
    let extra = crate::term::prompt::input(ask, true, |s| {
        split_list(s)
            .iter()
            .try_for_each(|x| model::check_scope(x))
            .map_err(|e| e.to_string())
    })?;
    for s in split_list(&extra) {
        model::add_unique(&mut scopes, &s);
    }
    let ips = crate::term::prompt::input(
        "Allowed IPs/CIDRs, comma-separated (empty for any)",
        true,
        |s| {
            split_list(s)
                .iter()
                .try_for_each(|x| model::parse_net(x).map(|_| ()))
                .map_err(|e| e.to_string())
        },
    )?;
    Ok(Settings {
        name,
        expiry: Some(expiry),
        scopes,
        groups: picked_groups,
        allowed_ips: split_list(&ips),
        prefix: args.prefix.clone(),
        description: args.description.clone().unwrap_or_default(),
        ..Settings::default()
    })
}
