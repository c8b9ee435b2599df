//! The county's checks across every station's synced data, its queue of what waits for a
//! decision, and the export of its data for the city's platform.

use tauri::State;
use xianglin_schema::view::{
    Approvals, CityExportRequest, CountyAnomalies, CountyAnomaliesRequest, ExportLogRow, ExportedFiles,
};
use xianglin_sync::{anomalies, approvals, city_export};

use crate::error::CmdResult;
use crate::state::AppState;

/// Every finding of the county's checks over a month in a place.
#[tauri::command(async)]
pub fn county_anomalies(state: State<'_, AppState>, request: CountyAnomaliesRequest) -> CmdResult<CountyAnomalies> {
    Ok(anomalies::county_anomalies(&mut *state.replica()?, &request)?)
}

/// Submitted settlements and adaptation cases at a county step, oldest first.
#[tauri::command(async)]
pub fn approvals(state: State<'_, AppState>) -> CmdResult<Approvals> {
    Ok(approvals::approvals(&mut *state.replica()?)?)
}

/// Exports the county's data for the city's platform into the export folder, and logs it.
#[tauri::command(async)]
pub fn city_export(state: State<'_, AppState>, request: CityExportRequest) -> CmdResult<ExportedFiles> {
    let (export, log) = city_export::export(&mut *state.replica_to_write()?, &request)?;
    let stem = format!(
        "乡邻数据上报-{}-{}至{}-{}",
        export.county_code,
        export.from_month,
        export.to_month,
        export.generated_at.replace([':', '-'], "").replace('T', "-")
    );
    let mut paths = Vec::new();
    for (suffix, bytes) in city_export::files(&export, request.format)? {
        paths.push(state.save_export(&format!("{stem}.{suffix}"), &bytes)?);
    }
    Ok(ExportedFiles { paths, log })
}

/// Every export of this county's data, newest first.
#[tauri::command(async)]
pub fn export_log(state: State<'_, AppState>) -> CmdResult<Vec<ExportLogRow>> {
    Ok(city_export::export_log(&mut *state.replica()?)?)
}
