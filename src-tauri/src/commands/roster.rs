//! Roster files (.xlsx): the template, a checked import, the registry export.

use tauri::State;
use tauri::ipc::Request;
use xianglin_domain::registry::roster;
use xianglin_schema::api::{ExportRegistry, RosterCheck, RosterImported, SavedFile};

use super::raw_body;
use crate::error::CmdResult;
use crate::state::AppState;

/// Saves the empty roster template for a township to fill in.
#[tauri::command(async)]
pub fn roster_template(state: State<'_, AppState>) -> CmdResult<SavedFile> {
    let bytes = roster::template()?;
    Ok(SavedFile { path: state.save_export("老年人信息台账模板.xlsx", &bytes)? })
}

/// A roster workbook is at most this large (a county's registry of 10,000 elders is ~1 MB).
const MAX_ROSTER_BYTES: usize = 20 * 1024 * 1024;

/// Checks every row of a roster file (the raw body); writes nothing.
#[tauri::command(async)]
pub fn check_roster(state: State<'_, AppState>, request: Request<'_>) -> CmdResult<RosterCheck> {
    let bytes = raw_body(&request, MAX_ROSTER_BYTES, "台账文件")?;
    Ok(roster::check(&*state.replica()?, &bytes)?)
}

/// Imports the valid rows of a roster file (the raw body) the person has checked and confirmed.
#[tauri::command(async)]
pub fn import_roster(state: State<'_, AppState>, request: Request<'_>) -> CmdResult<RosterImported> {
    let bytes = raw_body(&request, MAX_ROSTER_BYTES, "台账文件")?;
    Ok(roster::import(&mut *state.replica_to_write()?, &bytes)?)
}

/// Saves the registry of a place as a roster file.
#[tauri::command(async)]
pub fn export_registry(state: State<'_, AppState>, request: ExportRegistry) -> CmdResult<SavedFile> {
    let (bytes, stamp) = {
        let replica = state.replica()?;
        (roster::export(&replica, &request.place_code)?, replica.now().format("%Y%m%d-%H%M%S"))
    };
    let file_name = format!("老年人信息台账-{}-{stamp}.xlsx", request.place_code);
    Ok(SavedFile { path: state.save_export(&file_name, &bytes)? })
}
