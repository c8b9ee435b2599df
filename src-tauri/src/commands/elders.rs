//! The elder registry: places to browse by, searches, an elder's page, adding and editing.

use tauri::State;
use xianglin_domain::query;
use xianglin_domain::registry;
use xianglin_schema::api::{
    ElderDetail, ElderId, ElderPage, ElderSearch, HistoryEntry, PlaceNode, RecordLifeEvent, SaveElder,
    SaveElderOutcome, SetLifeStatus,
};
use xianglin_schema::elder::Elder;

use crate::error::CmdResult;
use crate::state::AppState;

/// The townships and villages the signed-in user works for.
#[tauri::command(async)]
pub fn place_tree(state: State<'_, AppState>) -> CmdResult<Vec<PlaceNode>> {
    Ok(query::place_tree(&*state.replica()?)?)
}

/// One page of the registry (ID numbers masked).
#[tauri::command(async)]
pub fn search_elders(state: State<'_, AppState>, request: ElderSearch) -> CmdResult<ElderPage> {
    Ok(query::search_elders(&*state.replica()?, &request)?)
}

/// An elder's page (ID number masked).
#[tauri::command(async)]
pub fn get_elder(state: State<'_, AppState>, request: ElderId) -> CmdResult<ElderDetail> {
    Ok(query::elder_detail(&*state.replica()?, &request.id)?)
}

/// Adds or edits an elder; a possible duplicate comes back for confirmation, unsaved. The
/// saved record comes back with its ID number masked, like everywhere else in the UI.
#[tauri::command(async)]
pub fn save_elder(state: State<'_, AppState>, request: SaveElder) -> CmdResult<SaveElderOutcome> {
    Ok(match registry::save_elder(&mut *state.replica_to_write()?, request)? {
        SaveElderOutcome::Saved { mut elder } => {
            elder.id_number = xianglin_schema::id_number::mask(&elder.id_number);
            SaveElderOutcome::Saved { elder }
        }
        duplicates => duplicates,
    })
}

/// Who changed what in an elder's record, and when, from the documents.
#[tauri::command(async)]
pub fn elder_history(state: State<'_, AppState>, request: ElderId) -> CmdResult<Vec<HistoryEntry>> {
    Ok(registry::elder_history(&mut *state.replica_to_write()?, &request.id)?)
}

/// An elder's full record (ID number unmasked) to edit; the view is recorded
/// (`xianglin_domain::access`).
#[tauri::command(async)]
pub fn elder_for_edit(state: State<'_, AppState>, request: ElderId) -> CmdResult<Elder> {
    Ok(xianglin_domain::access::open_for_edit(&mut *state.replica_to_write()?, &request.id)?)
}

/// Marks an elder moved away or deceased on a date; the record and its history stay.
#[tauri::command(async)]
pub fn set_life_status(state: State<'_, AppState>, request: SetLifeStatus) -> CmdResult<Elder> {
    let mut elder = registry::set_life_status(&mut *state.replica_to_write()?, &request.elder_id, request.life)?;
    elder.id_number = xianglin_schema::id_number::mask(&elder.id_number);
    Ok(elder)
}

/// Records a major life event (重大变故); a visit then falls due within the tier's hours.
#[tauri::command(async)]
pub fn record_life_event(state: State<'_, AppState>, request: RecordLifeEvent) -> CmdResult<Elder> {
    let mut elder = registry::record_life_event(&mut *state.replica_to_write()?, request)?;
    elder.id_number = xianglin_schema::id_number::mask(&elder.id_number);
    Ok(elder)
}
