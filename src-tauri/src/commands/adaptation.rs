//! Home adaptation (居家适老化改造，一户一档): eligibility, case files and their workflow, plans,
//! attachments, ability assessments, the county's list, printing the case file.

use tauri::State;
use xianglin_domain::adaptation;
use xianglin_schema::api::{
    AdaptationCaseList, AdaptationCasesRequest, AdaptationCatalog, AdaptationCatalogRequest, AdaptationEligibility,
    AddCaseAttachment, CaseDetail, CaseId, ElderId, OpenAdaptationCase, PrintCaseFile, RecordCaseStep,
    SaveAdaptationCase, SaveCasePlan, SavedFile, SignCasePlan,
};
use xianglin_schema::assessment::Assessment;

use crate::error::{AppError, CmdResult};
use crate::state::AppState;

/// Whether an elder's household may apply, and why.
#[tauri::command(async)]
pub fn adaptation_eligibility(state: State<'_, AppState>, request: ElderId) -> CmdResult<AdaptationEligibility> {
    state.require_station()?;
    Ok(adaptation::eligibility(&*state.replica()?, &request.id)?)
}

/// Opens a case file for an eligible household.
#[tauri::command(async)]
pub fn open_adaptation_case(state: State<'_, AppState>, request: OpenAdaptationCase) -> CmdResult<CaseDetail> {
    state.require_station()?;
    Ok(adaptation::open_case(&mut *state.replica_to_write()?, &request)?)
}

/// Saves a case's application facts, documents and notes.
#[tauri::command(async)]
pub fn save_adaptation_case(state: State<'_, AppState>, request: SaveAdaptationCase) -> CmdResult<CaseDetail> {
    state.require_station()?;
    Ok(adaptation::save_case_details(&mut *state.replica_to_write()?, &request)?)
}

/// Marks the case's current step done, or returns it with a reason.
#[tauri::command(async)]
pub fn record_case_step(state: State<'_, AppState>, request: RecordCaseStep) -> CmdResult<CaseDetail> {
    state.require_station()?;
    Ok(adaptation::record_step(&mut *state.replica_to_write()?, &request)?)
}

/// Saves a case's plan, priced from the catalog, within the household's cap.
#[tauri::command(async)]
pub fn save_case_plan(state: State<'_, AppState>, request: SaveCasePlan) -> CmdResult<CaseDetail> {
    state.require_station()?;
    Ok(adaptation::save_plan(&mut *state.replica_to_write()?, &request)?)
}

/// Records the elder's signature of the plan.
#[tauri::command(async)]
pub fn sign_case_plan(state: State<'_, AppState>, request: SignCasePlan) -> CmdResult<CaseDetail> {
    state.require_station()?;
    Ok(adaptation::sign_plan(&mut *state.replica_to_write()?, &request)?)
}

/// Stores a photo or scan and attaches it to a case at a step.
#[tauri::command(async)]
pub fn add_case_attachment(state: State<'_, AppState>, request: AddCaseAttachment) -> CmdResult<CaseDetail> {
    state.require_station()?;
    Ok(adaptation::add_case_attachment(&mut *state.replica_to_write()?, state.attachments()?, &request)?)
}

/// A case as its page shows it.
#[tauri::command(async)]
pub fn case_detail(state: State<'_, AppState>, request: CaseId) -> CmdResult<CaseDetail> {
    state.require_station()?;
    Ok(adaptation::case_detail(&*state.replica()?, &request.case_id)?)
}

/// The cases of a place by step, longest waiting first.
#[tauri::command(async)]
pub fn adaptation_cases(state: State<'_, AppState>, request: AdaptationCasesRequest) -> CmdResult<AdaptationCaseList> {
    state.require_station()?;
    Ok(adaptation::cases(&*state.replica()?, &request)?)
}

/// Records an ability assessment (GB/T 42195-2022) of an elder, scored.
#[tauri::command(async)]
pub fn record_assessment(state: State<'_, AppState>, request: Assessment) -> CmdResult<Assessment> {
    state.require_station()?;
    Ok(adaptation::record_assessment(&mut *state.replica_to_write()?, request)?)
}

/// Every assessment of an elder, newest first.
#[tauri::command(async)]
pub fn elder_assessments(state: State<'_, AppState>, request: ElderId) -> CmdResult<Vec<Assessment>> {
    state.require_station()?;
    Ok(adaptation::assessments_of(&*state.replica()?, &request.id)?)
}

/// The adaptation catalog and caps of the policy in force.
#[tauri::command(async)]
pub fn adaptation_catalog(
    state: State<'_, AppState>,
    request: AdaptationCatalogRequest,
) -> CmdResult<AdaptationCatalog> {
    state.require_station()?;
    let replica = state.replica()?;
    Ok(adaptation::catalog(&replica, request.on.unwrap_or_else(|| replica.today()))?)
}

/// Prints a household's case file (一户一档) as a PDF locked with the person's password (it holds
/// the elder's ID number, health and home).
#[tauri::command]
pub async fn print_case_file(state: State<'_, AppState>, request: PrintCaseFile) -> CmdResult<SavedFile> {
    state.require_station()?;
    super::file_password(&state, &request.password)?;
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        let case_file = {
            let replica = state.replica()?;
            let detail = adaptation::case_detail(&replica, &request.case_id)?;
            crate::print::case_file(&replica, state.attachments()?, &detail)?
        };
        let pdf =
            xianglin_reports::lock_pdf(&xianglin_reports::render_case_file(&case_file)?.pdf, &request.password.0)?;
        let file_name = format!("居家适老化改造一户一档-{}.pdf", case_file.case_number);
        let path = state.save_export(&file_name, &pdf)?;
        tracing::info!(case = %request.case_id, "case file printed");
        Ok(SavedFile { path })
    })
    .await
    .map_err(|error| AppError::internal(&error.to_string()))?
}
