//! What users do with records: the registry, patrol visits, meal service, home adaptation and
//! the county's review. Each operation reads the replica's projection, builds records, checks
//! them through `xianglin_schema`, and writes them with [`Replica::commit`] or
//! [`Replica::commit_all`] (the replica's only write paths).
//!
//! - [`registry`]: saving elders (duplicates caught at entry, a move between villages in one
//!   transaction), history, referrals; [`registry::roster`]: roster files (.xlsx).
//! - [`patrol`]: visits, due lists and monthly coverage (月探访率).
//! - [`meals`]: meal points, diners, the day's roster, subsidies, checks and settlements.
//! - [`adaptation`]: home-adaptation case files (一户一档) from 申请 to 归档.
//! - [`review`]: what the county does with every station's data: conflicts, duplicates,
//!   anomalies, approvals, dashboards and the city export.
//! - [`access`]: who viewed whose full data (access records, the county's list).
//! - [`locked_workbook`]: workbooks locked with a password, as exports with personal data are.
//! - [`query`]: what the app reads (searches, an elder's page, the place tree);
//!   [`lookup`]: the look-ups every area shares (the current entry of an elder, places,
//!   policies), written once.
//!
//! Named "domain" rather than "services" because nothing here serves a network: it is the
//! app's rules about elders, visits, meals and cases, above storage and below the UI.

pub mod access;
pub mod adaptation;
pub mod locked_workbook;
pub mod lookup;
pub mod meals;
pub mod patrol;
pub mod query;
pub mod registry;
pub mod review;

pub use xianglin_sync::{Error, Replica, Result};

use xianglin_schema::problem::{Problem, Rule};

/// A request the signed-in user's role may not make, with the Chinese sentence that says who may.
pub(crate) fn not_permitted(field: &str, message: &str) -> Problem {
    Problem { field: field.to_owned(), rule: Rule::NotPermitted, message: message.to_owned() }
}

/// A request the state of a record refuses now (a locked month, an archived case, a step not
/// reached), with the Chinese sentence that says why.
pub(crate) fn refused_now(field: &str, message: &str) -> Problem {
    Problem { field: field.to_owned(), rule: Rule::NotAllowedNow, message: message.to_owned() }
}
