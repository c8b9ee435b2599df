//! Elders registered twice: suspected pairs, the county's decisions and their undoing.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::duplicate::DuplicateVerdict;
use crate::elder::LifeStatus;
use crate::record::Gender;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The same ID number, anywhere in the replica.
    SameIdNumber,
    /// The same name (or the same name in pinyin), birth date and village.
    SameNameBirthVillage,
}

/// An elder already registered who may be the one being entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DuplicateCandidate {
    pub elder_id: String,
    pub name: String,
    pub id_number_masked: String,
    pub birth_date: String,
    pub village_name: String,
    pub life: LifeStatus,
    pub reason: DuplicateReason,
    /// The reason in Chinese.
    pub explanation: String,
}

/// One elder of a suspected pair (or of a decision), with how many records name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DuplicateElder {
    pub elder_id: String,
    pub name: String,
    pub id_number_masked: String,
    pub gender: Gender,
    pub birth_date: String,
    pub village_code: String,
    pub village_name: String,
    pub township_name: String,
    pub phone: Option<String>,
    pub address: String,
    pub life: LifeStatus,
    /// When and by whom the elder was registered (`YYYY-MM-DD`, user name).
    pub registered_on: String,
    pub registered_by: String,
    /// Records that name this elder themselves (not counting those of an elder merged in).
    pub visits: u32,
    pub meals: u32,
    pub cases: u32,
}

/// Two registered elders who may be one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DuplicatePair {
    /// The elder suggested to keep: registered first.
    pub first: DuplicateElder,
    pub second: DuplicateElder,
    /// 50–100: how alike they are (100: the same ID number and name).
    pub score: u32,
    pub reason: DuplicateReason,
    /// What matched, in Chinese.
    pub explanation: String,
}

/// A decision taken about a pair, newest first; an undone one stays listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DuplicateDecisionRow {
    pub id: String,
    pub verdict: DuplicateVerdict,
    pub kept: DuplicateElder,
    pub merged: DuplicateElder,
    pub note: String,
    pub decided_by: String,
    /// `YYYY-MM-DD HH:MM`.
    pub decided_at: String,
    pub undone: bool,
    pub undone_by: Option<String>,
    pub undone_at: Option<String>,
    pub undo_reason: Option<String>,
}

/// The county's duplicates page: suspected pairs, and the decisions taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DuplicatesPage {
    /// Registered elders compared (merged ones excluded).
    pub elders_checked: u32,
    pub pairs: Vec<DuplicatePair>,
    pub decisions: Vec<DuplicateDecisionRow>,
}

/// Merges `merged_id` into `kept_id`, or records that the two are different people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DecideDuplicate {
    pub verdict: DuplicateVerdict,
    pub kept_id: String,
    pub merged_id: String,
    pub note: String,
}

/// Undoes a decision (voids it), with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UndoDuplicateDecision {
    pub id: String,
    pub reason: String,
}
