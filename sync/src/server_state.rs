//! What a device knows of the county server, kept in its replica: the server's heads of each
//! shard as last heard (`sync_shards`, with whether the device owes the server a report of its
//! new heads) and the attachments the server is known to hold (`uploaded_attachments`). The
//! client reads and writes these through here; the transport holds no SQL.

use std::collections::HashSet;

use automerge::ChangeHash;
use rusqlite::params;

use crate::heads;
use crate::shard::ShardId;
use crate::{Replica, Result};

/// Records the server's heads of a shard; `report`: the device took changes and owes the server
/// its new heads.
pub fn set_server_heads(replica: &Replica, shard: &ShardId, server_heads: &[ChangeHash], report: bool) -> Result<()> {
    replica
        .connection()
        .prepare_cached(
            "INSERT INTO sync_shards (shard, server_heads, report) VALUES (?1, ?2, ?3)
             ON CONFLICT (shard) DO UPDATE SET server_heads = ?2, report = ?3",
        )?
        .execute(params![shard.to_string(), heads::to_text(server_heads), report])?;
    Ok(())
}

/// The shards holding edits the server has not had yet (their heads differ from the server's
/// as last heard, or the server never heard of them).
pub fn shards_with_unsent_edits(replica: &Replica) -> Result<HashSet<String>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT s.id FROM shards s LEFT JOIN sync_shards y ON y.shard = s.id
         WHERE y.shard IS NULL OR y.server_heads != s.heads",
    )?;
    let shards = statement.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(shards)
}

/// Shards whose heads differ from the server's as last heard, or that owe the server a report,
/// with the server's heads, in shard order.
pub fn waiting_shards(replica: &Replica) -> Result<Vec<(String, Vec<ChangeHash>)>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT s.id, coalesce(y.server_heads, '') FROM shards s LEFT JOIN sync_shards y ON y.shard = s.id
         WHERE y.shard IS NULL OR y.server_heads != s.heads OR y.report = 1
         ORDER BY s.id",
    )?;
    let rows = statement
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|(shard, heads)| Ok((shard, heads::from_text(&heads)?))).collect()
}

/// Remembers that the server holds these attachments.
pub fn mark_uploaded(replica: &Replica, hashes: &[String]) -> Result<()> {
    let mut statement = replica
        .connection()
        .prepare_cached("INSERT INTO uploaded_attachments (sha256) VALUES (?1) ON CONFLICT DO NOTHING")?;
    for sha256 in hashes {
        statement.execute([sha256])?;
    }
    Ok(())
}

/// The attachments this device knows the server holds.
pub fn uploaded_attachments(replica: &Replica) -> Result<HashSet<String>> {
    let mut statement = replica.connection().prepare_cached("SELECT sha256 FROM uploaded_attachments")?;
    let hashes = statement.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(hashes)
}
