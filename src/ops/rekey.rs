//! Re-keying: the library operation behind `passwd` and `admin remove`. A new data key is
//! wrapped for every slot kept; a slot is a public recipient, so no other admin's secret is
//! needed, except a slot from before teams, which only its own credential can carry over.

use crate::error::{Error, Result};
use crate::secret::Key32;
use crate::store::Store;
use crate::store::format::Slot;
use crate::store::unlock::Credential;

/// A new random data key.
pub fn new_data_key() -> Result<Key32> {
    Key32::random()
}

/// `slot`, kept across a re-key: wrapped for `new_key`. A slot from before teams is made anew
/// with the credential that opened `store` when it is the caller's own; another admin's is
/// refused (exit 7).
pub fn keep(store: &Store, slot: &Slot, new_key: &Key32) -> Result<Slot> {
    if slot.kind_is_current() {
        let mut kept = slot.clone();
        kept.wrap(new_key)?;
        return Ok(kept);
    }
    let mine = store.unlocked_by() == Some(slot.name.as_str());
    let mut fresh = match (mine, store.credential()) {
        (true, Some(Credential::Passphrase(p))) => {
            Slot::passphrase(&slot.name, p, slot.kdf, new_key)?
        }
        (true, Some(Credential::KeyFile(_, k))) => Slot::key_file(&slot.name, k, new_key)?,
        _ => return Err(legacy_slot_of_another(&slot.name)),
    };
    fresh.created_at = slot.created_at;
    Ok(fresh)
}

/// The refusal for another admin's slot from before teams.
pub fn legacy_slot_of_another(name: &str) -> Error {
    let name = crate::text::sanitize(name);
    Error::Policy {
        message: format!(
            "admin {name} has a slot from before teams, which only its own credential can carry over to a new data key"
        ),
        hint: Some(format!(
            "run this command unlocked with {name}'s credential, or remove {name} as well"
        )),
    }
}
