//! The county's queue: every meal settlement submitted and not yet decided on, and every
//! adaptation case waiting at a county step, oldest first. Deciding happens where each lives
//! ([`crate::meals::review_settlement`], [`crate::adaptation::record_step`]).

use xianglin_schema::api::{AdaptationCasesRequest, Approvals, PendingSettlement, SettlementRequest, SettlementStatus};
use xianglin_schema::record::parse_datetime;

use crate::adaptation;
use crate::lookup::minutes;
use crate::lookup::{place_name, user_name};
use crate::meals;
use xianglin_sync::Replica;
use xianglin_sync::Result;

/// What waits for the county on this replica.
pub fn approvals(replica: &mut Replica) -> Result<Approvals> {
    let submitted: Vec<(String, String)> = {
        let mut statement = replica.connection().prepare(
            "SELECT DISTINCT point_id, month FROM meal_submissions WHERE voided = 0 ORDER BY month, point_id",
        )?;
        statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<Vec<_>, _>>()?
    };
    let now = replica.now();
    let mut settlements = Vec::new();
    for (point_id, month) in submitted {
        let settlement = meals::settlement(replica, &SettlementRequest { point_id, month })?;
        let Some(submission) = settlement.submission.filter(|_| settlement.status == SettlementStatus::Submitted)
        else {
            continue;
        };
        let days_waiting =
            parse_datetime(&submission.submitted_at).map(|at| (now - at).num_days().max(0) as u32).unwrap_or(0);
        settlements.push(PendingSettlement {
            point_id: settlement.point.id,
            point_name: settlement.point.name,
            township_name: place_name(replica, &settlement.point.township_code)?.unwrap_or_default(),
            month: settlement.month,
            submitted_by: user_name(replica, &submission.submitted_by)?.unwrap_or_default(),
            submitted_at: minutes(&submission.submitted_at),
            note: submission.note,
            totals: submission.totals,
            anomalies: settlement.anomalies.len() as u32,
            days_waiting,
        });
    }
    settlements.sort_by(|a, b| b.days_waiting.cmp(&a.days_waiting).then_with(|| a.township_name.cmp(&b.township_name)));
    let request = AdaptationCasesRequest { place_code: None, step: None, include_archived: false };
    let mut cases: Vec<_> =
        adaptation::cases(replica, &request)?.rows.into_iter().filter(|case| case.step.by_county()).collect();
    cases.sort_by(|a, b| b.days_waiting.cmp(&a.days_waiting).then_with(|| a.case_number.cmp(&b.case_number)));
    Ok(Approvals { settlements, cases })
}
