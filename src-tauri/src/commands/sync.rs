//! Sync with the county server: its status, 立即同步, and enrolling this computer.

use tauri::State;
use xianglin_schema::api::{EnrollDevice, FleetHealth, SavedFile, SyncStatus};

use crate::error::CmdResult;
use crate::state::AppState;

/// The link to the county server: enrolled or not, last success, what waits, the last error.
#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>) -> CmdResult<SyncStatus> {
    state.sync().status(&*state.replica()?)
}

/// Syncs now and answers when the round is over.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> CmdResult<SyncStatus> {
    state.sync().sync_now().await;
    state.sync().status(&*state.replica()?)
}

/// The county's devices and how each is doing (设备状况), from the county server: for county
/// reviewers, online.
#[tauri::command]
pub async fn fleet_health(state: State<'_, AppState>) -> CmdResult<FleetHealth> {
    state.require_role(xianglin_schema::user::Role::CountyReviewer)?;
    crate::sync_engine::fleet(&state).await
}

/// Enrolls this computer with a one-time code (the county's authorisation of the person it
/// was made for, who sets their password here), then syncs for the first time.
#[tauri::command]
pub async fn enroll_device(state: State<'_, AppState>, request: EnrollDevice) -> CmdResult<SyncStatus> {
    crate::session::check_new_password(&request.password)?;
    let key = {
        let state = state.inner().clone();
        tauri::async_runtime::spawn_blocking(move || crate::session::fresh_key(&state))
            .await
            .map_err(|error| crate::error::AppError::internal(&error.to_string()))??
    };
    let scope = crate::sync_engine::enroll(
        &state,
        &request.server_url,
        request.fingerprint.as_deref(),
        &request.code,
        &request.label,
    )
    .await?;
    {
        let state = state.inner().clone();
        let password = request.password.clone();
        tauri::async_runtime::spawn_blocking(move || {
            crate::session::finish_enrollment(&state, key, &scope.user_id, scope.role, &password)
        })
        .await
        .map_err(|error| crate::error::AppError::internal(&error.to_string()))??;
    }
    state.sync().sync_now().await;
    state.sync().status(&*state.replica()?)
}

/// Sync by file: writes what the county lacks to a bundle for a USB stick.
#[tauri::command(async)]
pub fn export_sync_bundle(state: State<'_, AppState>) -> CmdResult<SavedFile> {
    Ok(SavedFile { path: crate::sync_engine::export_bundle(&state)? })
}

/// Sync by file: takes the county's answer file (the raw body) in.
#[tauri::command(async)]
pub fn import_sync_answer(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> CmdResult<SyncStatus> {
    let bytes = super::raw_body(&request, xianglin_sync::protocol::MAX_REQUEST_BYTES, "同步回执文件")?;
    crate::sync_engine::import_answer(&state, &bytes)?;
    state.sync().status(&*state.replica()?)
}
