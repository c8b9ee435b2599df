//! Backups (备份与恢复): this PC's list, 立即备份 (optionally copied to a USB stick), and on the
//! welcome page, finding a backup and restoring it; on a PC that replaced a lost one, taking
//! over the lost PC's backup (接替旧电脑). Long jobs report `backup-progress`.

use tauri::{AppHandle, Emitter, Runtime, State};
use xianglin_schema::api::{BackupList, BackupProgress, BackupRow, RestoreBackup, SessionStatus, TakenOver};
use xianglin_sync::backup::Reason;

use crate::backups;
use crate::error::{AppError, CmdResult};
use crate::state::AppState;

/// The event backups and restores report their progress with.
pub const PROGRESS_EVENT: &str = "backup-progress";

/// Emits progress, at most once per percent (a restore reads a megabyte a step).
pub(crate) fn reporter<R: Runtime>(app: &AppHandle<R>) -> impl FnMut(BackupProgress) + '_ {
    let mut last: Option<(xianglin_schema::api::BackupPhase, i64)> = None;
    move |progress| {
        let percent = (progress.fraction * 100.0).floor() as i64;
        if last != Some((progress.phase, percent)) {
            last = Some((progress.phase, percent));
            let _ = app.emit(PROGRESS_EVENT, progress);
        }
    }
}

/// This PC's backups, newest first.
#[tauri::command(async)]
pub fn backups(state: State<'_, AppState>) -> CmdResult<BackupList> {
    backups::list(&state)
}

/// A backup now (立即备份); with `copy_to`, a copy in that folder too (a USB stick).
#[tauri::command(async)]
pub fn backup_now<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    copy_to: Option<String>,
) -> CmdResult<BackupRow> {
    state.session().ok_or_else(|| AppError::new("signed_out", "请先登录"))?;
    let made = backups::make(&state, Reason::Manual, &mut reporter(&app))?;
    let mut row = backups::row(&made, true);
    if let Some(folder) = copy_to.filter(|folder| !folder.trim().is_empty()) {
        row.path = backups::copy_to(&made, &folder)?;
    }
    Ok(row)
}

/// Sets the folder (a USB stick) each day's backup is also copied to; `None` stops the copies.
#[tauri::command(async)]
pub fn set_backup_copy_to(state: State<'_, AppState>, folder: Option<String>) -> CmdResult<BackupList> {
    state.session().ok_or_else(|| AppError::new("signed_out", "请先登录"))?;
    backups::set_copy_to(&state, folder.as_deref())?;
    backups::list(&state)
}

/// Backups found on this PC, in `folder`, and on mounted USB sticks (the welcome page).
#[tauri::command(async)]
pub fn find_backups(state: State<'_, AppState>, folder: Option<String>) -> CmdResult<Vec<BackupRow>> {
    Ok(backups::find(&state, folder.as_deref()))
}

/// Restores a backup with one of its people's passwords and signs them in (the welcome page).
#[tauri::command(async)]
pub fn restore_backup<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: RestoreBackup,
) -> CmdResult<SessionStatus> {
    backups::restore(&state, &request, &mut reporter(&app))?;
    match (&request.new_password, request.by_code) {
        // The restored keyring still holds the county's code: signing in spends it.
        (Some(new_password), true) => {
            crate::session::sign_in_with_code(&state, &request.user_id, request.password.trim(), new_password)
        }
        _ => crate::session::sign_in(&state, &request.user_id, &request.password),
    }
}

/// Takes over the backup of a lost PC the county named this one the successor of: its unsent
/// edits are merged here and go up at the next sync (接替旧电脑).
#[tauri::command(async)]
pub fn take_over_backup<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: RestoreBackup,
) -> CmdResult<TakenOver> {
    backups::take_over(&state, &request, &mut reporter(&app))
}
