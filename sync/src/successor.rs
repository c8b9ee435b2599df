//! A replacement PC taking over a lost or broken one: once the county has named it the old
//! PC's successor (`xianglin-county successor <old> <new>`) and it has pulled its places, it
//! takes the edits the old PC never sent from the old PC's last backup.
//!
//! The backup's database is unpacked beside the replica (still encrypted with the old PC's key),
//! and of each shard the old PC still owed the server, the whole stored document is merged
//! into this replica: automerge keeps each change once, so what the server already had (and
//! this PC pulled) is not doubled, and the old PC's own changes go up at the next sync, which
//! the server takes from this PC alone. The unpacked copy is removed afterwards. The photos and
//! scans the backup carries (those the old PC had not uploaded) that records here now refer to
//! are stored here, sealed with this PC's key, to go up at the next sync too.

use std::collections::HashSet;
use std::path::Path;

use crate::attachments::AttachmentStore;
use crate::backup::{self, BackupError, Step};
use crate::crypto::Key;
use crate::encrypted::{beside, remove_database_files};
use crate::shard::ShardId;
use crate::{Error, Replica, client, scope, server_state};

/// What taking over a backup did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Taken {
    /// The device whose backup it was.
    pub device_id: String,
    /// Shards the old PC owed the server that are now merged here, to go up at the next sync.
    pub shards: usize,
    /// Of those, shards holding changes this replica did not have.
    pub changed: usize,
    /// Shards the old PC owed that this PC may not write (outside its places): left out.
    pub outside: usize,
    /// Attachments from the backup now stored here (ones this PC already had not counted).
    pub attachments: usize,
}

/// Merges into `replica` the edits the PC of `backup` never sent, opening the backup with
/// `key` (unwrapped from its keyring by a person's password). Refused, changing nothing, unless
/// the server has named this PC that PC's successor and this PC has synced its places since.
pub fn take_over(
    replica: &mut Replica,
    attachments: &AttachmentStore,
    backup: &Path,
    key: &Key,
    progress: &mut dyn FnMut(Step, u64, u64),
) -> Result<Taken, BackupError> {
    let found = backup::read_header(backup)?;
    let header = &found.header;
    if header.device_id == replica.device_id() {
        return Err(Error::Invalid("this backup is this PC's own: restore it instead".into()).into());
    }
    if !client::succeeds(replica)?.contains(&header.device_id) {
        return Err(Error::Invalid(format!(
            "the county has not named this PC the successor of device {} (or this PC has not synced since)",
            header.device_id
        ))
        .into());
    }
    let Some(scope) = client::scope(replica)? else {
        return Err(Error::Invalid("this PC has not synced its places yet".into()).into());
    };
    let scratch = beside(Path::new(replica.path()), ".predecessor");
    backup::unpack(backup, key, &scratch, progress)?;
    let taken = take_from(replica, &scratch, key, &scope, &header.device_id);
    remove_database_files(&scratch)?;
    let mut taken = taken?;
    let wanted: HashSet<String> = crate::attachments::referenced(replica)?.into_iter().collect();
    backup::open_attachments(&found, key, &mut |sha256, bytes| {
        if wanted.contains(sha256) && !attachments.contains(sha256) {
            attachments.put_expecting(&bytes, sha256)?;
            taken.attachments += 1;
        }
        Ok(())
    })?;
    tracing::info!(
        attachments = taken.attachments,
        shards = taken.shards,
        changed = taken.changed,
        outside = taken.outside,
        "the unsent edits of a replaced PC were taken from its backup"
    );
    Ok(taken)
}

fn take_from(
    replica: &mut Replica,
    scratch: &Path,
    key: &Key,
    scope: &crate::protocol::Scope,
    device_id: &str,
) -> Result<Taken, BackupError> {
    let old = Replica::open_encrypted(scratch, key)?;
    if old.device_id() != device_id {
        return Err(Error::Invalid("the backup's database is another device's than its header says".into()).into());
    }
    let mut owed: Vec<String> = server_state::shards_with_unsent_edits(&old)?.into_iter().collect();
    owed.sort();
    let mut taken = Taken { device_id: device_id.to_owned(), ..Taken::default() };
    for shard in owed {
        let shard: ShardId = shard.parse()?;
        if !scope::may_write(scope, &shard) {
            taken.outside += 1;
            continue;
        }
        let chunks = old.stored_chunks(&shard)?;
        if chunks.is_empty() {
            continue;
        }
        taken.shards += 1;
        if replica.apply_changes(&shard, &chunks.concat())? {
            taken.changed += 1;
        }
    }
    Ok(taken)
}
