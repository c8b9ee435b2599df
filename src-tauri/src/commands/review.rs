//! The county's checks across every station's synced data, its queue of what waits for a
//! decision, its dashboards (and their tables as workbooks and PDFs), and the export of its data
//! for the city's platform.

use tauri::State;
use xianglin_domain::review::anomalies;
use xianglin_domain::review::approvals;
use xianglin_domain::review::city_export;
use xianglin_domain::review::dashboards;
use xianglin_schema::api::{
    Approvals, CityExportRequest, CountyAnomalies, CountyAnomaliesRequest, CoverageTrend, DashboardFile, DashboardKind,
    ExportLogRow, ExportedArchive, MealTrend, SavedFile, TrendRequest,
};

use crate::error::{AppError, CmdResult};
use crate::state::AppState;

/// Every finding of the county's checks over a month in a place.
#[tauri::command(async)]
pub fn county_anomalies(state: State<'_, AppState>, request: CountyAnomaliesRequest) -> CmdResult<CountyAnomalies> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    Ok(anomalies::county_anomalies(&mut *state.replica()?, &request)?)
}

/// Submitted settlements and adaptation cases at a county step, oldest first.
#[tauri::command(async)]
pub fn approvals(state: State<'_, AppState>) -> CmdResult<Approvals> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    Ok(approvals::approvals(&mut *state.replica()?)?)
}

/// Exports the county's data for the city's platform into the export folder, as one zip
/// locked with the request's password, and logs it.
#[tauri::command(async)]
pub fn city_export(state: State<'_, AppState>, request: CityExportRequest) -> CmdResult<ExportedArchive> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    let password = super::file_password(&state, &request.password)?;
    let (export, log) = city_export::export(&mut *state.replica_to_write()?, &request)?;
    let stem = format!(
        "乡邻数据上报-{}-{}至{}-{}",
        export.county_code,
        export.from_month,
        export.to_month,
        export.generated_at.replace([':', '-'], "").replace('T', "-")
    );
    let archive = city_export::locked_archive(&export, request.format, &stem, password)?;
    Ok(ExportedArchive { path: state.save_export(&format!("{stem}.zip"), &archive)?, log })
}

/// Every export of this county's data, newest first.
#[tauri::command(async)]
pub fn export_log(state: State<'_, AppState>) -> CmdResult<Vec<ExportLogRow>> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    Ok(city_export::export_log(&mut *state.replica()?)?)
}

/// 月探访率 over months, of the county's townships or a township's villages.
#[tauri::command(async)]
pub fn coverage_trend(state: State<'_, AppState>, request: TrendRequest) -> CmdResult<CoverageTrend> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    Ok(dashboards::coverage_trend(&*state.replica()?, &request)?)
}

/// Meals and subsidy over months, by township or meal point.
#[tauri::command(async)]
pub fn meal_trend(state: State<'_, AppState>, request: TrendRequest) -> CmdResult<MealTrend> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    Ok(dashboards::meal_trend(&*state.replica()?, &request)?)
}

fn dashboard_name(kind: DashboardKind) -> &'static str {
    match kind {
        DashboardKind::Coverage => "月探访率",
        DashboardKind::Meals => "助餐服务与补贴",
        DashboardKind::Cases => "适老化改造档案",
    }
}

/// Saves a dashboard's table as an Excel workbook.
#[tauri::command(async)]
pub fn export_dashboard(state: State<'_, AppState>, request: DashboardFile) -> CmdResult<SavedFile> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    let (table, stamp) = {
        let mut replica = state.replica()?;
        (dashboards::table(&mut replica, &request)?, replica.now().format("%Y%m%d-%H%M%S"))
    };
    let bytes = dashboards::workbook(&table)?;
    let file_name = format!("{}-{stamp}.xlsx", dashboard_name(request.kind));
    Ok(SavedFile { path: state.save_export(&file_name, &bytes)? })
}

/// Prints a dashboard's table as a PDF.
#[tauri::command]
pub async fn print_dashboard(state: State<'_, AppState>, request: DashboardFile) -> CmdResult<SavedFile> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        let (table, stamp) = {
            let mut replica = state.replica()?;
            (dashboards::table(&mut replica, &request)?, replica.now().format("%Y%m%d-%H%M%S"))
        };
        let pdf = xianglin_reports::render_table_report(&crate::print::dashboard(&table))?.pdf;
        let file_name = format!("{}-{stamp}.pdf", dashboard_name(request.kind));
        Ok(SavedFile { path: state.save_export(&file_name, &pdf)? })
    })
    .await
    .map_err(|error| AppError::internal(&error.to_string()))?
}
