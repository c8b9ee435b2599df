//! Meal service: meal points and diners, the day's roster, monthly settlements, printing.

use tauri::State;
use xianglin_domain::meals;
use xianglin_schema::api::{
    AddAdjustment, CopyMealDay, DinerRow, DinersRequest, EnrollDiner, LeaveDiner, MealPointRow, MealPointsRequest,
    MealRoster, MealRosterRequest, MealSet, ReviewSettlement, SavedFile, SetMeal, Settlement, SettlementFile,
    SettlementRequest, SubmitSettlement, TownshipSettlements, TownshipSettlementsRequest,
};
use xianglin_schema::meal::{Diner, MealAdjustment, MealPoint};

use crate::error::{AppError, CmdResult};
use crate::state::AppState;

/// The meal points of a township, with how many elders eat at each.
#[tauri::command(async)]
pub fn meal_points(state: State<'_, AppState>, request: MealPointsRequest) -> CmdResult<Vec<MealPointRow>> {
    state.require_station()?;
    Ok(meals::meal_points(&*state.replica()?, &request.township_code)?)
}

/// Saves a meal point (slots and prices, modes, open days, closures).
#[tauri::command(async)]
pub fn save_meal_point(state: State<'_, AppState>, request: MealPoint) -> CmdResult<MealPoint> {
    state.require_station()?;
    Ok(meals::save_meal_point(&mut *state.replica_to_write()?, request)?)
}

/// The elders enrolled at a point, with eligibility and band.
#[tauri::command(async)]
pub fn meal_diners(state: State<'_, AppState>, request: DinersRequest) -> CmdResult<Vec<DinerRow>> {
    state.require_station()?;
    Ok(meals::diners(&*state.replica()?, &request)?)
}

/// Enrolls an elder of the registry at a point.
#[tauri::command(async)]
pub fn enroll_diner(state: State<'_, AppState>, request: EnrollDiner) -> CmdResult<Diner> {
    state.require_station()?;
    Ok(meals::enroll_diner(&mut *state.replica_to_write()?, &request)?)
}

/// Ends an enrollment from a date.
#[tauri::command(async)]
pub fn leave_diner(state: State<'_, AppState>, request: LeaveDiner) -> CmdResult<Diner> {
    state.require_station()?;
    Ok(meals::leave_diner(&mut *state.replica_to_write()?, &request)?)
}

/// A point's roster for a day.
#[tauri::command(async)]
pub fn meal_roster(state: State<'_, AppState>, request: MealRosterRequest) -> CmdResult<MealRoster> {
    state.require_station()?;
    Ok(meals::roster(&*state.replica()?, &request)?)
}

/// Ticks or unticks one diner's slot; saved at once.
#[tauri::command(async)]
pub fn set_meal(state: State<'_, AppState>, request: SetMeal) -> CmdResult<MealSet> {
    state.require_station()?;
    Ok(meals::set_meal(&mut *state.replica_to_write()?, &request)?)
}

/// Records on a day the meals each diner had on an earlier day.
#[tauri::command(async)]
pub fn copy_meal_day(state: State<'_, AppState>, request: CopyMealDay) -> CmdResult<MealRoster> {
    state.require_station()?;
    Ok(meals::copy_day(&mut *state.replica_to_write()?, &request)?)
}

/// A point's month: per elder lines, totals, status, checks.
#[tauri::command(async)]
pub fn meal_settlement(state: State<'_, AppState>, request: SettlementRequest) -> CmdResult<Settlement> {
    state.require_station()?;
    Ok(meals::settlement(&mut *state.replica()?, &request)?)
}

/// Every point of a township for a month, and their sum.
#[tauri::command(async)]
pub fn township_settlements(
    state: State<'_, AppState>,
    request: TownshipSettlementsRequest,
) -> CmdResult<TownshipSettlements> {
    state.require_station()?;
    Ok(meals::township_settlements(&mut *state.replica()?, &request)?)
}

/// The station submits a month to the county.
#[tauri::command(async)]
pub fn submit_settlement(state: State<'_, AppState>, request: SubmitSettlement) -> CmdResult<Settlement> {
    state.require_station()?;
    Ok(meals::submit_settlement(&mut *state.replica_to_write()?, &request)?)
}

/// The county approves (locks) or returns a month.
#[tauri::command(async)]
pub fn review_settlement(state: State<'_, AppState>, request: ReviewSettlement) -> CmdResult<Settlement> {
    state.require_station()?;
    Ok(meals::review_settlement(&mut *state.replica_to_write()?, &request)?)
}

/// Books a correction of a locked month in the next open one.
#[tauri::command(async)]
pub fn add_meal_adjustment(state: State<'_, AppState>, request: AddAdjustment) -> CmdResult<MealAdjustment> {
    state.require_station()?;
    Ok(meals::add_adjustment(&mut *state.replica_to_write()?, &request)?)
}

/// Prints a point's settlement statement as a PDF locked with the person's password (it names
/// the diners).
#[tauri::command]
pub async fn print_settlement(state: State<'_, AppState>, request: SettlementFile) -> CmdResult<SavedFile> {
    state.require_station()?;
    super::file_password(&state, &request.password)?;
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        let statement = {
            let mut replica = state.replica()?;
            let settlement = meals::settlement(&mut replica, &request.settlement())?;
            crate::print::meal_settlement(&replica, &settlement)?
        };
        let pdf = xianglin_reports::lock_pdf(
            &xianglin_reports::render_meal_settlement(&statement)?.pdf,
            &request.password.0,
        )?;
        let file_name = format!("{}助餐结算表-{}.pdf", statement.point, statement.month);
        Ok(SavedFile { path: state.save_export(&file_name, &pdf)? })
    })
    .await
    .map_err(|error| AppError::internal(&error.to_string()))?
}

/// Saves a point's settlement as an Excel workbook locked with the person's password (it names
/// the diners).
#[tauri::command(async)]
pub fn export_settlement(state: State<'_, AppState>, request: SettlementFile) -> CmdResult<SavedFile> {
    state.require_station()?;
    let password = super::file_password(&state, &request.password)?;
    let settlement = meals::settlement(&mut *state.replica()?, &request.settlement())?;
    let bytes = xianglin_domain::locked_workbook::lock(&meals::settlement_workbook(&settlement)?, password)?;
    let file_name = format!("{}助餐结算表-{}.xlsx", settlement.point.name, settlement.month);
    Ok(SavedFile { path: state.save_export(&file_name, &bytes)? })
}

/// Prints the township's summary of its points for a month.
#[tauri::command]
pub async fn print_township_settlements(
    state: State<'_, AppState>,
    request: TownshipSettlementsRequest,
) -> CmdResult<SavedFile> {
    state.require_station()?;
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        let summary = {
            let mut replica = state.replica()?;
            let summary = meals::township_settlements(&mut replica, &request)?;
            crate::print::township_meal_summary(&replica, &summary)?
        };
        let pdf = xianglin_reports::render_township_meal_summary(&summary)?.pdf;
        let file_name = format!("{}助餐结算汇总-{}.pdf", summary.township, summary.month);
        Ok(SavedFile { path: state.save_export(&file_name, &pdf)? })
    })
    .await
    .map_err(|error| AppError::internal(&error.to_string()))?
}
