//! Home-adaptation case files (居家适老化改造，一户一档): one case per household, from
//! application to archive. Steps and plan items are maps keyed by id so that concurrent
//! edits at the township and the county merge.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::record::RecordMeta;

/// The workflow steps in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseStep {
    /// 申请
    Application,
    /// 乡镇初审
    TownshipReview,
    /// 县级审核
    CountyReview,
    /// 入户评估
    Assessment,
    /// 改造方案
    Plan,
    /// 施工
    Construction,
    /// 验收
    Acceptance,
    /// 结算拨付
    Settlement,
    /// 回访
    FollowUp,
    /// 归档
    Archived,
}

/// Something that happened to a case at a step: done, or returned with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StepEvent {
    pub step: CaseStep,
    pub outcome: StepOutcome,
    pub by: String,
    pub at: String,
    pub notes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    Done,
    Returned,
}

/// One line of an adaptation plan, priced from the county's catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlanItem {
    pub catalog_code: String,
    pub quantity: u32,
    /// Unit price in 分 at the time of planning.
    pub unit_price: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdaptationCase {
    pub id: String,
    pub elder_id: String,
    pub village_code: String,
    /// Urban households have a higher cap than rural ones.
    pub urban: bool,
    /// The step the case is at now.
    pub step: CaseStep,
    /// Event id → event, in time order by id (UUIDv7).
    pub events: BTreeMap<String, StepEvent>,
    /// Plan item id → item.
    pub plan: BTreeMap<String, PlanItem>,
    pub notes: String,
    pub meta: RecordMeta,
}
