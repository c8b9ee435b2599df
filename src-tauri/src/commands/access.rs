//! Who viewed whose full data: an ID number shown in full (recorded), the county's list of
//! access records, an elder's own list.

use tauri::State;
use xianglin_domain::access;
use xianglin_schema::api::{AccessLogPage, AccessLogRequest, AccessRow, ElderId, RevealIdNumber};

use crate::error::CmdResult;
use crate::state::AppState;

/// An elder's full ID number; the view is recorded, with the reason given.
#[tauri::command(async)]
pub fn reveal_id_number(state: State<'_, AppState>, request: RevealIdNumber) -> CmdResult<String> {
    Ok(access::reveal_id_number(&mut *state.replica_to_write()?, &request.elder_id, &request.reason)?)
}

/// The county reviewer's list of access records, filtered by user, elder and days.
#[tauri::command(async)]
pub fn access_log(state: State<'_, AppState>, request: AccessLogRequest) -> CmdResult<AccessLogPage> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    Ok(access::log(&*state.replica()?, &request)?)
}

/// Who viewed an elder's full data, newest first.
#[tauri::command(async)]
pub fn elder_access_log(state: State<'_, AppState>, request: ElderId) -> CmdResult<Vec<AccessRow>> {
    Ok(access::of_elder(&*state.replica()?, &request.id)?)
}
