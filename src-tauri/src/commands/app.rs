//! The app as a whole: status, and the demo county for a first start.

use tauri::State;
use xianglin_schema::view::AppStatus;
use xianglin_sync::demo::{self, DemoOptions, DemoSize};
use xianglin_sync::query;

use crate::error::{AppError, CmdResult};
use crate::state::AppState;

/// Whether this computer has data yet, and how much.
#[tauri::command(async)]
pub fn app_status(state: State<'_, AppState>) -> CmdResult<AppStatus> {
    Ok(query::app_status(&*state.replica()?, &state.data_dir())?)
}

/// Generates the small demo county (会昌县, one township) into an empty replica, off the UI thread.
#[tauri::command]
pub async fn open_demo_county(state: State<'_, AppState>) -> CmdResult<AppStatus> {
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut replica = state.replica()?;
        if query::app_status(&replica, "")?.has_data {
            return Err(AppError {
                code: "has_data", message: "本机已有数据，不能再载入演示县".to_owned()
            });
        }
        let options = DemoOptions { size: DemoSize::Small, seed: 1, today: replica.today() };
        demo::generate(&mut replica, &options)?;
        Ok(query::app_status(&replica, &state.data_dir())?)
    })
    .await
    .map_err(|error| AppError::internal(&error.to_string()))?
}
