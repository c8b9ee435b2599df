//! Conflicts: the fields devices changed concurrently, and picking the value every device keeps.

use tauri::State;
use xianglin_domain::review::conflicts;
use xianglin_schema::api::{ConflictRow, ResolveConflict};

use crate::error::CmdResult;
use crate::state::AppState;

/// Every conflicted field of this computer's data, each value with who wrote it and when.
#[tauri::command(async)]
pub fn conflicts(state: State<'_, AppState>) -> CmdResult<Vec<ConflictRow>> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    Ok(conflicts::conflicts(&mut *state.replica()?)?)
}

/// Keeps one value of a conflicted field (or, for an elder, another that passes the checks);
/// answers with the conflicts left.
#[tauri::command(async)]
pub fn resolve_conflict(state: State<'_, AppState>, request: ResolveConflict) -> CmdResult<Vec<ConflictRow>> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    let mut replica = state.replica_to_write()?;
    conflicts::resolve(&mut replica, &request)?;
    Ok(conflicts::conflicts(&mut replica)?)
}
