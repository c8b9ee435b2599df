//! Elders registered twice: the suspected pairs, and the county reviewer's merges (and undoing
//! them).

use tauri::State;
use xianglin_domain::review::duplicates;
use xianglin_schema::api::{DecideDuplicate, DuplicatesPage, UndoDuplicateDecision};

use crate::error::CmdResult;
use crate::state::AppState;

/// Suspected pairs among every elder here, most alike first, and the decisions taken.
#[tauri::command(async)]
pub fn duplicates(state: State<'_, AppState>) -> CmdResult<DuplicatesPage> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    Ok(duplicates::duplicates(&*state.replica()?)?)
}

/// Merges one elder into another, or marks a pair as two people; answers with the page.
#[tauri::command(async)]
pub fn decide_duplicate(state: State<'_, AppState>, request: DecideDuplicate) -> CmdResult<DuplicatesPage> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    Ok(duplicates::decide(&mut *state.replica_to_write()?, &request)?)
}

/// Undoes a decision, with why; answers with the page.
#[tauri::command(async)]
pub fn undo_duplicate_decision(
    state: State<'_, AppState>,
    request: UndoDuplicateDecision,
) -> CmdResult<DuplicatesPage> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    Ok(duplicates::undo(&mut *state.replica_to_write()?, &request)?)
}
