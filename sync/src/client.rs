//! The device side of sync, whatever carries it: what to send the county server, and taking
//! its answer in. [`http`] carries it over the network; a sync-by-file bundle carries the same
//! request on a USB stick.
//!
//! Per shard the device keeps the server's heads as last heard (`sync_shards`). A shard whose
//! heads differ from them has changes to push; a shard that took the server's changes reports
//! its new heads on the next request, so the server never sends those changes again.

pub mod bundle;
pub mod http;

use crate::protocol::{PROTOCOL, ReleaseOffer, Scope, ShardPush, SyncRequest, SyncResponse};
use crate::shard::ShardId;
use crate::{Replica, Result};
use crate::{heads, server_state};

/// Where the device keeps its cursor (the server's change counter as last heard).
const CURSOR: &str = "sync.cursor";
/// Where the device keeps its scope (JSON), as the server last said.
const SCOPE: &str = "sync.scope";
/// Where the device keeps the release the server last offered (JSON; absent when none).
const RELEASE: &str = "sync.release";
/// Where the device keeps the devices the server says it replaced (JSON list, nearest first).
const SUCCEEDS: &str = "sync.succeeds";

/// A request stops taking shards once its changes pass this size; the rest go in the next.
const REQUEST_BUDGET_BYTES: usize = crate::protocol::MAX_REQUEST_BYTES / 4;

/// What one request and its answer moved. Changes are counted in the chunks that carried them
/// (a whole document, a bundle of changes, or one change).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundTrip {
    pub pushed_shards: usize,
    pub pushed_changes: usize,
    pub pulled_shards: usize,
    pub pulled_changes: usize,
    /// Another round trip is needed at once (more to push or to pull).
    pub more: bool,
    /// Shards removed because the device's places no longer cover them.
    pub removed_shards: usize,
}

/// The request that brings the server up to date with this replica, and `true` when more
/// shards wait than fitted in it.
pub fn prepare(replica: &mut Replica) -> Result<(SyncRequest, bool)> {
    prepare_within(replica, REQUEST_BUDGET_BYTES)
}

/// [`prepare`] with a size budget of its own (a bundle file takes everything at once).
fn prepare_within(replica: &mut Replica, budget: usize) -> Result<(SyncRequest, bool)> {
    let cursor = replica.setting(CURSOR)?.and_then(|text| text.parse().ok()).unwrap_or(0);
    let scope = scope(replica)?;
    let unsent = u32::try_from(waiting(replica)?).unwrap_or(u32::MAX);
    let waiting = server_state::waiting_shards(replica)?;
    let mut shards = Vec::new();
    let mut bytes = 0;
    let mut more = false;
    for (shard, server_heads) in waiting {
        if bytes > budget {
            more = true;
            break;
        }
        let id: ShardId = shard.parse()?;
        // The county document is the county's to write: a station only reports what it holds.
        let writable = scope.as_ref().is_none_or(|scope| crate::scope::may_write_kind(scope, &id));
        let changes = if writable { replica.chunks_since(&id, &server_heads)? } else { Vec::new() };
        bytes += changes.iter().map(Vec::len).sum::<usize>();
        let heads = replica.heads(&id)?.iter().map(ToString::to_string).collect();
        shards.push(ShardPush { shard, heads, changes });
    }
    let app_version = xianglin_schema::version::APP_VERSION.to_owned();
    let user_id = replica.user_id().to_owned();
    let arch = crate::release::this_arch().to_owned();
    Ok((SyncRequest { protocol: PROTOCOL, cursor, shards, app_version, user_id, waiting: unsent, arch }, more))
}

/// Takes the server's answer to `request` in: merges its changes, remembers its heads, its
/// cursor and the device's scope.
pub fn absorb(replica: &mut Replica, request: &SyncRequest, response: &SyncResponse) -> Result<RoundTrip> {
    let mut round = RoundTrip {
        pushed_shards: request.shards.iter().filter(|push| !push.changes.is_empty()).count(),
        pushed_changes: request.shards.iter().map(|push| push.changes.len()).sum(),
        more: response.more,
        ..RoundTrip::default()
    };
    // Whole shards as the server stores them (a first sync) are taken in together.
    let mut stored = Vec::new();
    for pull in response.shards.iter().filter(|pull| pull.stored && !pull.changes.is_empty()) {
        stored.push((pull.shard.parse::<ShardId>()?, pull.changes.clone()));
    }
    replica.adopt_stored(&stored)?;
    for pull in &response.shards {
        let shard: ShardId = pull.shard.parse()?;
        if !pull.changes.is_empty() {
            if !pull.stored {
                replica.apply_changes(&shard, &pull.changes.concat())?;
            }
            round.pulled_shards += 1;
            round.pulled_changes += pull.changes.len();
        }
        let server_heads = heads::parse(&pull.heads)?;
        server_state::set_server_heads(replica, &shard, &server_heads, !pull.changes.is_empty())?;
    }
    let previous = scope(replica)?;
    replica.set_setting(SCOPE, Some(&serde_json::to_string(&response.scope)?))?;
    if previous.as_ref().is_some_and(|previous| previous != &response.scope) {
        // New places: shards that changed before the cursor are new to this device too.
        tracing::info!(places = response.scope.places.len(), "this device's places changed");
        replica.set_setting(CURSOR, Some("0"))?;
        round.more = true;
    } else {
        replica.set_setting(CURSOR, Some(&response.cursor.to_string()))?;
    }
    round.removed_shards = leave_out_of_scope(replica, &response.scope)?;
    note_release(replica, response.release.as_ref())?;
    note_succeeds(replica, &response.succeeds)?;
    Ok(round)
}

/// Remembers the release the server offers (none: this app is its newest).
pub fn note_release(replica: &Replica, offer: Option<&ReleaseOffer>) -> Result<()> {
    let text = offer.map(serde_json::to_string).transpose()?;
    if replica.setting(RELEASE)? != text {
        replica.set_setting(RELEASE, text.as_deref())?;
    }
    Ok(())
}

/// The release the server last offered this device.
pub fn offered_release(replica: &Replica) -> Result<Option<ReleaseOffer>> {
    Ok(replica.setting(RELEASE)?.and_then(|text| serde_json::from_str(&text).ok()))
}

/// Remembers the devices the server says this one replaced.
fn note_succeeds(replica: &Replica, succeeds: &[String]) -> Result<()> {
    let text = if succeeds.is_empty() { None } else { Some(serde_json::to_string(succeeds)?) };
    if replica.setting(SUCCEEDS)? != text {
        replica.set_setting(SUCCEEDS, text.as_deref())?;
    }
    Ok(())
}

/// The lost PCs the server last said this one replaced: their backups' unsent edits may be
/// taken over here ([`crate::successor`]).
pub fn succeeds(replica: &Replica) -> Result<Vec<String>> {
    Ok(replica.setting(SUCCEEDS)?.and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default())
}

/// After the county revoked this device: removes every shard the server holds all of, and
/// keeps the shards with edits it never received (a saved edit is never lost; the county can
/// collect them). Returns how many shards left.
pub fn leave_after_revocation(replica: &mut Replica) -> Result<usize> {
    let waiting = server_state::shards_with_unsent_edits(replica)?;
    let mut removed = 0;
    for shard in replica.shards()? {
        if !waiting.contains(&shard.to_string()) {
            replica.remove_shard(&shard)?;
            removed += 1;
        }
    }
    tracing::warn!(removed, kept = waiting.len(), "this device was revoked; synced data removed");
    Ok(removed)
}

/// Removes the shards the scope no longer covers, once the server holds all of each (a shard
/// with edits not yet pushed stays until they are). Returns how many left.
fn leave_out_of_scope(replica: &mut Replica, scope: &Scope) -> Result<usize> {
    let waiting: std::collections::HashSet<String> =
        server_state::waiting_shards(replica)?.into_iter().map(|(shard, _)| shard).collect();
    let mut removed = 0;
    for shard in replica.shards()? {
        if waiting.contains(&shard.to_string()) {
            continue;
        }
        if !crate::scope::may_read(scope, &shard) {
            replica.remove_shard(&shard)?;
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "shards outside this device's places removed");
    }
    Ok(removed)
}

/// The scope the server last gave this device (`None` before the first answer).
pub fn scope(replica: &Replica) -> Result<Option<Scope>> {
    Ok(replica.setting(SCOPE)?.map(|text| serde_json::from_str(&text)).transpose()?)
}

/// How many shards hold edits the server has not had yet (a report of heads owed after taking
/// the server's changes is not an edit, and does not count).
pub fn waiting(replica: &Replica) -> Result<usize> {
    Ok(server_state::shards_with_unsent_edits(replica)?.len())
}
