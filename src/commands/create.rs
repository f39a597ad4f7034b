//! `apikeys create`: mint a key; on a terminal without `--name`, a wizard asks for its settings.

use super::Context;
use super::reveal::{Reveal, RevealArgs};
use crate::error::{Error, Result};
use crate::model::{self, KeyRecord};
use crate::policy::{self, Policy};
use crate::store::{crypto, queries};
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

/// Checked settings of a key to be minted (also used by `rotate`).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub name: String,
    pub expiry: Option<String>,
    pub scopes: Vec<String>,
    pub groups: Vec<String>,
    pub allowed_ips: Vec<String>,
    pub prefix: String,
    pub description: String,
    pub owner: Option<String>,
    pub meta: std::collections::BTreeMap<String, String>,
    /// Uses allowed; `None` for no limit.
    pub remaining: Option<i64>,
    pub rates: Vec<crate::engine::limits::Rate>,
    pub refill: Option<crate::engine::limits::Refill>,
}

/// Whose a key is and how often it may be used: owner, meta pairs, uses allowed.
pub type Whose = (
    Option<String>,
    std::collections::BTreeMap<String, String>,
    Option<i64>,
);

/// Checks `--owner`, `--meta` and `--uses` as given to `create`.
pub fn check_whose(owner: Option<&str>, meta: &[String], uses: Option<&str>) -> Result<Whose> {
    if let Some(o) = owner {
        model::check_owner(o)?;
    }
    let meta = meta
        .iter()
        .map(|m| model::parse_meta(m))
        .collect::<Result<std::collections::BTreeMap<_, _>>>()?;
    model::check_meta_count(&meta)?;
    let remaining = uses.map(model::parse_uses).transpose()?.flatten();
    Ok((owner.map(String::from), meta, remaining))
}

/// Checks scopes and IPs; returns the scopes split on commas and the IPs as networks in CIDR
/// form. A network given with host bits (`10.0.0.1/8`) is stored as the network it names
/// (`10.0.0.0/8`), and `ctx` says so.
pub fn check_lists(
    ctx: &Context,
    scopes: &[String],
    ips: &[String],
) -> Result<(Vec<String>, Vec<String>)> {
    let scopes = model::split_scopes(scopes)?;
    let ips = ips
        .iter()
        .map(|ip| {
            let net = model::parse_net(ip)?;
            let stored = net.trunc();
            if stored != net {
                ctx.note(&format!(
                    "{} has host bits set: stored as the network {stored}",
                    crate::text::sanitize(ip.trim())
                ));
            }
            Ok(stored.to_string())
        })
        .collect::<Result<_>>()?;
    Ok((scopes, ips))
}

/// Mints a key with `settings` inside a write; returns its record and token.
pub fn mint(
    tx: &rusqlite::Connection,
    pepper: &crate::secret::Key32,
    actor: &str,
    s: &Settings,
    now: i64,
) -> Result<(KeyRecord, crate::secret::TokenString)> {
    // A new id never equals an existing name (or id), so that a name never shadows an id.
    let new = loop {
        let t = token::generate(&s.prefix)?;
        if !queries::id_or_name_used(tx, &t.id)? {
            break t;
        }
    };
    let record = mint_with(tx, pepper, actor, s, now, &new)?;
    Ok((record, new.token))
}

/// Inserts the key of an already minted token `new` (whose token may have been delivered
/// already): every check of [`mint`] runs again here, under the caller's write.
pub fn mint_with(
    tx: &rusqlite::Connection,
    pepper: &crate::secret::Key32,
    actor: &str,
    s: &Settings,
    now: i64,
    new: &token::NewToken,
) -> Result<KeyRecord> {
    let policy = Policy::load(tx)?;
    let expiry = match &s.expiry {
        Some(e) => policy::parse_expiry(e, now)?,
        None => policy.default_expiry(now),
    };
    policy.check(now, expiry)?;
    for g in &s.groups {
        queries::group(tx, g)?;
    }
    queries::check_name_free_of_ids(tx, &s.name, "")?;
    if queries::id_or_name_used(tx, &new.id)? {
        return Err(Error::conflict(
            "the new key's id was taken meanwhile",
            "run the command again",
        ));
    }
    let record = KeyRecord {
        id: new.id.clone(),
        name: s.name.clone(),
        prefix: s.prefix.clone(),
        check_code: new.check.clone(),
        revoked: false,
        revoked_reason: None,
        created_at: now,
        created_by: actor.to_string(),
        expires_at: expiry.as_option(),
        last_used_at: None,
        use_count: 0,
        description: s.description.clone(),
        scopes: s.scopes.clone(),
        groups: s.groups.clone(),
        allowed_ips: s.allowed_ips.clone(),
        rotated_from: None,
        rotated_to: None,
        owner: s.owner.clone(),
        meta: s.meta.clone(),
        remaining: s.remaining,
        rates: s.rates.clone(),
        refill: s.refill,
        refill_period: 0,
        rate_state: vec![],
        last_used_ip: None,
    };
    let parsed = token::parse(new.token.expose_secret())
        .map_err(|m| Error::Internal(format!("minted a malformed token: {m}")))?;
    let hash = crypto::secret_hash(pepper, parsed.id, parsed.expose_secret());
    queries::insert_key(tx, &record, &hash)?;
    Ok(record)
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
    model::check_name("key", &settings.name)?;
    model::check_description(&settings.description)?;
    token::check_prefix(&settings.prefix)?;
    let (scopes, allowed_ips) = check_lists(ctx, &settings.scopes, &settings.allowed_ips)?;
    let settings = Settings {
        scopes,
        allowed_ips,
        owner,
        meta,
        remaining,
        rates: model::parse_rates(&args.rates)?,
        refill: args
            .refill
            .as_deref()
            .map(model::parse_refill)
            .transpose()?
            .flatten(),
        ..settings
    };
    if settings.refill.is_some() && settings.remaining.is_none() {
        return Err(Error::usage(
            "--refill needs a usage limit",
            "give --uses N as well, e.g. --uses 1000 --refill 1000/30d",
        ));
    }
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

/// Runs `change` in a transaction on the store as read, and rolls it back: what a write would
/// do, and whether it would be refused, before anything is shown or written.
pub fn dry_run<T>(
    conn: &rusqlite::Connection,
    change: impl FnOnce(&rusqlite::Connection) -> Result<T>,
) -> Result<T> {
    let tx = conn.unchecked_transaction()?;
    let out = change(&tx);
    tx.rollback()?;
    out
}

/// A one-line summary of a key's settings for the audit log.
pub fn describe(k: &KeyRecord) -> String {
    let exp = k
        .expires_at
        .map_or_else(|| "never".into(), crate::text::rfc3339);
    let mut out = format!(
        "expires {exp}; scopes [{}]; groups [{}]; ips [{}]",
        k.scopes.join(", "),
        k.groups.join(", "),
        k.allowed_ips.join(", ")
    );
    if let Some(o) = &k.owner {
        out.push_str(&format!("; owner {o}"));
    }
    if let Some(n) = k.remaining {
        out.push_str(&format!("; {n} uses"));
    }
    if let Some(r) = k.refill {
        out.push_str(&format!("; refill {r}"));
    }
    if !k.rates.is_empty() {
        let rates: Vec<String> = k.rates.iter().map(ToString::to_string).collect();
        out.push_str(&format!("; rates [{}]", rates.join(", ")));
    }
    out
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
    let name = crate::term::prompt::input("Name", false, |s| {
        model::check_name("key", s).map_err(|e| e.to_string())?;
        match queries::name_taken(conn, s) {
            Ok(true) => Err("a key with this name already exists".into()),
            _ => Ok(()),
        }
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
    let extra =
        crate::term::prompt::input("More scopes, comma-separated (empty for none)", true, |s| {
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
