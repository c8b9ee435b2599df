//! Updates from the county (有新版本): the notice's status, and 安装更新, which backs the PC up
//! first (reporting `backup-progress`) and installs with the system's privilege prompt.

use tauri::{AppHandle, Runtime, State};
use xianglin_schema::api::UpdateStatus;

use crate::commands::backup::reporter;
use crate::error::{AppError, CmdResult};
use crate::state::AppState;
use crate::updates;

/// The release the county offers, and how far its download has come.
#[tauri::command(async)]
pub fn update_status(state: State<'_, AppState>) -> CmdResult<UpdateStatus> {
    updates::status(&state)
}

/// 安装更新: a backup, then the package installed with the system's privilege prompt.
#[tauri::command(async)]
pub fn install_update<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> CmdResult<UpdateStatus> {
    state.session().ok_or_else(|| AppError::new("signed_out", "请先登录"))?;
    updates::install(&state, &mut reporter(&app))
}
