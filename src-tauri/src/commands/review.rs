//! The county's checks across every station's synced data.

use tauri::State;
use xianglin_schema::view::{CountyAnomalies, CountyAnomaliesRequest};
use xianglin_sync::anomalies;

use crate::error::CmdResult;
use crate::state::AppState;

/// Every finding of the county's checks over a month in a place.
#[tauri::command(async)]
pub fn county_anomalies(state: State<'_, AppState>, request: CountyAnomaliesRequest) -> CmdResult<CountyAnomalies> {
    Ok(anomalies::county_anomalies(&mut *state.replica()?, &request)?)
}
