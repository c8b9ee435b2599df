//! Elders merged by the county, in the projection: a record about an elder merged into another
//! is projected under the kept elder's id, so every list, count, due date and check sees one
//! person. The documents are never rewritten: a visit keeps naming the elder it was recorded
//! for, `elder_aliases` remembers that id for every re-pointed row, and undoing a merge (voiding
//! its decision) points those rows back. The result depends only on which decisions are in
//! force, not on the order records were projected in, so `rebuild` and incremental projection
//! agree.
//!
//! A record's elder is fixed when it is created (no form changes it), which is what lets a row
//! be re-pointed by id alone.

use rusqlite::{Connection, OptionalExtension, params};
use xianglin_schema::duplicate::{DuplicateDecision, DuplicateVerdict};

use crate::Result;

/// The projection tables whose rows name an elder in an `elder_id` column (each keyed by `id`).
pub const ELDER_TABLES: [&str; 7] =
    ["visits", "meals", "diners", "meal_adjustments", "adaptation_cases", "assessments", "access_log"];

/// How many merges may chain (A into B into C …) before the chain is treated as a cycle.
const MAX_CHAIN: usize = 32;

/// Projects a duplicate decision and re-points every row its coming into force (or being
/// undone) moves.
pub fn project_decision(connection: &Connection, shard_id: &str, decision: &DuplicateDecision) -> Result<()> {
    let verdict = match decision.verdict {
        DuplicateVerdict::Merge => "merge",
        DuplicateVerdict::Distinct => "distinct",
    };
    connection
        .prepare_cached(
            "INSERT OR REPLACE INTO duplicate_decisions (id, shard, verdict, kept_id, merged_id, decided_by,
                decided_at, voided, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            decision.id,
            shard_id,
            verdict,
            decision.kept_id,
            decision.merged_id,
            decision.meta.created_by,
            decision.meta.created_at,
            decision.meta.is_voided(),
            serde_json::to_string(decision)?,
        ])?;
    refresh(connection, &[&decision.kept_id, &decision.merged_id])
}

/// The elder `elder_id` reads as: itself, or the elder it was merged into (following chains).
/// Two merges in force that form a cycle (two reviewers merging a pair both ways before
/// syncing) read as the cycle's smallest id, the same on every device.
pub fn canonical(connection: &Connection, elder_id: &str) -> Result<String> {
    let mut next = connection.prepare_cached(
        "SELECT kept_id FROM duplicate_decisions WHERE merged_id = ?1 AND verdict = 'merge' AND voided = 0
         ORDER BY id LIMIT 1",
    )?;
    let mut path = vec![elder_id.to_owned()];
    while path.len() <= MAX_CHAIN {
        let current = path.last().expect("path starts with the elder");
        let Some(kept) = next.query_row([current], |row| row.get::<_, String>(0)).optional()? else {
            return Ok(path.pop().expect("path is not empty"));
        };
        if let Some(start) = path.iter().position(|id| *id == kept) {
            return Ok(path[start..].iter().min().expect("a cycle has members").clone());
        }
        path.push(kept);
    }
    tracing::warn!(chain = MAX_CHAIN, "merge chain too long; read as its last elder");
    Ok(path.pop().expect("path is not empty"))
}

/// The elder id to project for a row of `table` whose record names `recorded`; remembers the
/// recorded id when they differ.
pub fn aliased(connection: &Connection, table: &str, row_id: &str, recorded: &str) -> Result<String> {
    let elder_id = canonical(connection, recorded)?;
    if elder_id != recorded {
        connection
            .prepare_cached(
                "INSERT OR REPLACE INTO elder_aliases (table_name, row_id, recorded_elder_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![table, row_id, recorded])?;
    }
    Ok(elder_id)
}

/// Forgets the recorded ids of rows no longer projected (their shard was removed).
pub fn drop_orphan_aliases(connection: &Connection) -> Result<()> {
    for table in ELDER_TABLES {
        connection.execute(
            &format!("DELETE FROM elder_aliases WHERE table_name = ?1 AND row_id NOT IN (SELECT id FROM {table})"),
            [table],
        )?;
    }
    Ok(())
}

/// Whether `elder_id` is merged into another elder now.
pub fn is_merged(connection: &Connection, elder_id: &str) -> Result<bool> {
    Ok(canonical(connection, elder_id)? != elder_id)
}

/// Brings the rows about `elders` (and every elder merged into or out of them) in line with
/// the decisions in force.
fn refresh(connection: &Connection, elders: &[&str]) -> Result<()> {
    // Every elder whose reading may have changed: the pair, and whoever is chained to them.
    let mut involved: Vec<String> = elders.iter().map(|id| id.to_string()).collect();
    let mut index = 0;
    while index < involved.len() {
        let mut linked = connection.prepare_cached(
            "SELECT merged_id FROM duplicate_decisions WHERE kept_id = ?1 AND verdict = 'merge'
             UNION SELECT kept_id FROM duplicate_decisions WHERE merged_id = ?1 AND verdict = 'merge'",
        )?;
        let more =
            linked.query_map([&involved[index]], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
        for id in more {
            if !involved.contains(&id) {
                involved.push(id);
            }
        }
        index += 1;
    }
    for elder in &involved {
        let reads_as = canonical(connection, elder)?;
        for table in ELDER_TABLES {
            // Rows recorded for this elder that now read as someone else (or as themselves again).
            connection.execute(
                &format!(
                    "UPDATE {table} SET elder_id = ?2 WHERE id IN
                        (SELECT row_id FROM elder_aliases WHERE table_name = ?3 AND recorded_elder_id = ?1)"
                ),
                params![elder, reads_as, table],
            )?;
            if reads_as == *elder {
                connection.execute(
                    "DELETE FROM elder_aliases WHERE table_name = ?2 AND recorded_elder_id = ?1",
                    params![elder, table],
                )?;
                continue;
            }
            // Rows under the elder's id: remember it (unless re-pointed here from an elder merged
            // into this one, whose id is remembered already), then re-point them.
            connection.execute(
                &format!(
                    "INSERT OR IGNORE INTO elder_aliases (table_name, row_id, recorded_elder_id)
                     SELECT ?2, id, elder_id FROM {table} WHERE elder_id = ?1"
                ),
                params![elder, table],
            )?;
            connection
                .execute(&format!("UPDATE {table} SET elder_id = ?2 WHERE elder_id = ?1"), params![elder, reads_as])?;
        }
        // A merged elder leaves lists and counts (as if voided); undone, their own state returns.
        connection.execute(
            "UPDATE elders SET voided = (json_extract(body, '$.meta.voided_at') IS NOT NULL OR ?2) WHERE id = ?1",
            params![elder, reads_as != *elder],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection() -> Connection {
        let connection = Connection::open_in_memory().unwrap();
        for (_, _, sql) in xianglin_schema::MIGRATIONS {
            connection.execute_batch(sql).unwrap();
        }
        connection
    }

    fn decide(connection: &Connection, id: &str, kept: &str, merged: &str, voided: bool) {
        let mut meta = xianglin_schema::record::RecordMeta {
            created_at: "2026-11-20T10:00:00".into(),
            created_by: "r".into(),
            ..Default::default()
        };
        if voided {
            meta.voided_at = Some("2026-11-21T10:00:00".into());
        }
        let decision = DuplicateDecision {
            id: id.into(),
            verdict: DuplicateVerdict::Merge,
            kept_id: kept.into(),
            merged_id: merged.into(),
            note: String::new(),
            meta,
        };
        project_decision(connection, "county/360733000000", &decision).unwrap();
    }

    fn visit(connection: &Connection, id: &str, elder: &str) {
        let elder_id = aliased(connection, "visits", id, elder).unwrap();
        connection
            .execute(
                "INSERT OR REPLACE INTO visits (id, shard, elder_id, village_code, visited_at, mode, visitor_id,
                    worst_severity, major_event, summary, voided, body) VALUES (?1, 's', ?2, 'v', 't', 'm', 'u', 'normal', 0, '', 0, '{}')",
                params![id, elder_id],
            )
            .unwrap();
    }

    fn elder_of(connection: &Connection, visit: &str) -> String {
        connection.query_row("SELECT elder_id FROM visits WHERE id = ?1", [visit], |row| row.get(0)).unwrap()
    }

    #[test]
    fn a_merge_re_points_rows_projected_before_and_after_it_and_undo_restores_them() {
        let connection = connection();
        visit(&connection, "v1", "b");
        decide(&connection, "d1", "a", "b", false);
        visit(&connection, "v2", "b");
        visit(&connection, "v3", "a");
        assert_eq!(
            [elder_of(&connection, "v1"), elder_of(&connection, "v2"), elder_of(&connection, "v3")],
            ["a", "a", "a"]
        );
        decide(&connection, "d1", "a", "b", true);
        assert_eq!(
            [elder_of(&connection, "v1"), elder_of(&connection, "v2"), elder_of(&connection, "v3")],
            ["b", "b", "a"]
        );
        let aliases: u32 = connection.query_row("SELECT count(*) FROM elder_aliases", [], |row| row.get(0)).unwrap();
        assert_eq!(aliases, 0);
    }

    #[test]
    fn chained_merges_read_as_the_last_elder_and_undoing_the_middle_link_splits_the_chain() {
        let connection = connection();
        visit(&connection, "v1", "b");
        visit(&connection, "v2", "a");
        decide(&connection, "d1", "a", "b", false);
        decide(&connection, "d2", "c", "a", false);
        assert_eq!([elder_of(&connection, "v1"), elder_of(&connection, "v2")], ["c", "c"]);
        decide(&connection, "d2", "c", "a", true);
        assert_eq!([elder_of(&connection, "v1"), elder_of(&connection, "v2")], ["a", "a"]);
    }

    #[test]
    fn a_cycle_from_two_concurrent_merges_reads_as_one_elder_whatever_the_order() {
        for order in [["d1", "d2"], ["d2", "d1"]] {
            let connection = connection();
            visit(&connection, "v1", "a");
            visit(&connection, "v2", "b");
            for id in order {
                if id == "d1" {
                    decide(&connection, "d1", "a", "b", false);
                } else {
                    decide(&connection, "d2", "b", "a", false);
                }
            }
            assert_eq!([elder_of(&connection, "v1"), elder_of(&connection, "v2")], ["a", "a"], "order {order:?}");
        }
    }
}
