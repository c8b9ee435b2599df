//! Roster files (.xlsx): checking, importing and exporting the registry.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::app::FilePassword;

/// What importing a roster row would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RosterAction {
    /// A new elder.
    New,
    /// An elder already registered (same ID number) whose record changes.
    Update,
    /// An elder already registered exactly as in the row.
    Unchanged,
    /// The row has problems and will not be imported.
    Invalid,
}

/// A problem in one cell of a roster, by the column's Chinese header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CellProblem {
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RosterRow {
    /// The row's number as Excel shows it.
    pub row_number: u32,
    pub name: String,
    pub id_number_masked: String,
    pub village_name: String,
    pub action: RosterAction,
    pub problems: Vec<CellProblem>,
}

/// Every row of a roster file checked, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RosterCheck {
    pub rows: Vec<RosterRow>,
    pub new_count: u32,
    pub update_count: u32,
    pub unchanged_count: u32,
    pub invalid_count: u32,
}

/// How far a roster check or import has read (the `roster-progress` event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RosterProgress {
    /// `check` or `import`.
    pub phase: RosterPhase,
    pub done: u32,
    pub total: u32,
}

/// Which roster job reports its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RosterPhase {
    Check,
    Import,
}

/// What an import wrote: valid rows only, each whole or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RosterImported {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub skipped_invalid: u32,
}

/// Exports the registry of a place (village, township or county code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportRegistry {
    pub place_code: String,
    /// The workbook's password (it holds full ID numbers).
    #[ts(type = "string")]
    pub password: FilePassword,
}
