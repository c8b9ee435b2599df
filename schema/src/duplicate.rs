//! The county's decisions about elders registered twice: fold one into the other (every visit,
//! meal and case of both then belongs to the one kept), or record that a suspected pair are two
//! people. A decision is a record of the county document, written only by a county role and
//! undone by voiding it, so it syncs to every device and its history stays.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::record::RecordMeta;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateVerdict {
    /// One person: `merged_id` reads as `kept_id` everywhere.
    Merge,
    /// Two people: the pair is no longer suggested.
    Distinct,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DuplicateDecision {
    pub id: String,
    pub verdict: DuplicateVerdict,
    /// The elder who stays (for `Distinct`, one of the pair).
    pub kept_id: String,
    /// The elder folded into `kept_id` (for `Distinct`, the other of the pair).
    pub merged_id: String,
    /// Why, in the reviewer's words (may be empty).
    pub note: String,
    /// Who decided and when; voiding the decision undoes it.
    pub meta: RecordMeta,
}

impl DuplicateDecision {
    /// Whether this decision is about the two elders `a` and `b`, in either order.
    pub fn is_about(&self, a: &str, b: &str) -> bool {
        (self.kept_id == a && self.merged_id == b) || (self.kept_id == b && self.merged_id == a)
    }
}
