//! Patrol visits: the due list, recording a visit, referrals, monthly coverage, the register.

use tauri::State;
use xianglin_domain::patrol;
use xianglin_domain::query;
use xianglin_domain::registry;
use xianglin_schema::api::{
    CaseworkerOption, CaseworkersRequest, Coverage, CoverageRequest, DueList, DueListRequest, PrintVisitRegister,
    ReferralRow, ReferralsRequest, SavedFile, UpdateReferral, VisitDraft, VisitSaved,
};
use xianglin_schema::visit::Visit;

use crate::error::{AppError, CmdResult};
use crate::state::AppState;

/// Who is due a visit: overdue, this week, this month, by risk.
#[tauri::command(async)]
pub fn due_list(state: State<'_, AppState>, request: DueListRequest) -> CmdResult<DueList> {
    let replica = state.replica()?;
    Ok(patrol::due_list(&replica, &request, replica.now())?)
}

/// The caseworkers of a place, to show the due list of one of them.
#[tauri::command(async)]
pub fn caseworkers(state: State<'_, AppState>, request: CaseworkersRequest) -> CmdResult<Vec<CaseworkerOption>> {
    Ok(query::caseworkers(&*state.replica()?, request.place_code.as_deref())?)
}

/// Saves a visit; an urgent finding comes back with what to do now.
#[tauri::command(async)]
pub fn record_visit(state: State<'_, AppState>, request: VisitDraft) -> CmdResult<VisitSaved> {
    Ok(patrol::record_visit(&mut *state.replica_to_write()?, state.attachments()?, request)?)
}

/// 月探访率 of a place for a month, with who was missed.
#[tauri::command(async)]
pub fn coverage(state: State<'_, AppState>, request: CoverageRequest) -> CmdResult<Coverage> {
    Ok(patrol::coverage(&*state.replica()?, &request)?)
}

/// The referrals of a place to follow up, open ones first.
#[tauri::command(async)]
pub fn referrals(state: State<'_, AppState>, request: ReferralsRequest) -> CmdResult<Vec<ReferralRow>> {
    Ok(registry::referrals(&*state.replica()?, &request)?)
}

/// Moves a referral along open → in progress → closed.
#[tauri::command(async)]
pub fn update_referral(state: State<'_, AppState>, request: UpdateReferral) -> CmdResult<Visit> {
    Ok(registry::update_referral(&mut *state.replica_to_write()?, &request)?)
}

/// Prints a village's monthly visit register as a PDF locked with the person's password (it
/// names the elders) and saves it where the person can open it.
#[tauri::command]
pub async fn print_visit_register(state: State<'_, AppState>, request: PrintVisitRegister) -> CmdResult<SavedFile> {
    super::file_password(&state, &request.password)?;
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        let month = request.month.parse().map_err(|()| AppError::invalid_month(&request.month))?;
        let register = crate::print::village_visit_register(&*state.replica()?, &request.village_code, month)?;
        let pdf =
            xianglin_reports::lock_pdf(&xianglin_reports::render_visit_register(&register)?, &request.password.0)?;
        let file_name = format!("{}探访记录表-{}.pdf", register.village, register.month);
        Ok(SavedFile { path: state.save_export(&file_name, &pdf)? })
    })
    .await
    .map_err(|error| AppError::internal(&error.to_string()))?
}
