//! The app as a whole: status, the demo county for a first start, and the demo's 身份 picker.

use tauri::State;
use xianglin_demo::{self as demo, DemoOptions, DemoSize};
use xianglin_domain::query;
use xianglin_schema::api::{AppStatus, UserOption};

use crate::error::{AppError, CmdResult};
use crate::session;
use crate::state::AppState;

/// Whether this computer has data yet, and how much.
#[tauri::command(async)]
pub fn app_status(state: State<'_, AppState>) -> CmdResult<AppStatus> {
    Ok(query::app_status(&*state.replica()?, &state.data_dir())?)
}

/// Generates the small demo county (会昌县, one township) on a fresh PC, off the UI thread:
/// a data key, the encrypted replica, the demo, every demo account with the demo password;
/// the demo's station director stays signed in.
#[tauri::command]
pub async fn open_demo_county(state: State<'_, AppState>) -> CmdResult<AppStatus> {
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        let key = session::fresh_key(&state)?;
        {
            let mut replica = state.replica_unchecked()?;
            if query::app_status(&replica, "")?.has_data {
                return Err(AppError::new("has_data", "本机已有数据，不能再载入演示县"));
            }
            let options = DemoOptions { size: DemoSize::Small, seed: 1, today: replica.today() };
            demo::generate(&mut replica, &options)?;
        }
        session::finish_demo(&state, key)?;
        Ok(query::app_status(&*state.replica()?, &state.data_dir())?)
    })
    .await
    .map_err(|error| AppError::internal(&error.to_string()))?
}

/// Everyone of the demo county, to sign in as; empty on a real county's computer, where each
/// person signs in with their own password.
#[tauri::command(async)]
pub fn demo_users(state: State<'_, AppState>) -> CmdResult<Vec<UserOption>> {
    let replica = state.replica()?;
    if !query::app_status(&replica, "")?.demo {
        return Ok(Vec::new());
    }
    Ok(query::users(&replica)?)
}

/// Signs someone of the demo county in (a caseworker, a station director, the reviewer), so
/// each part of the app can be tried with the role it needs. Refused outside the demo.
#[tauri::command(async)]
pub fn switch_demo_user(state: State<'_, AppState>, user_id: String) -> CmdResult<AppStatus> {
    if !state.keyring().as_ref().is_some_and(|ring| ring.demo) {
        return Err(AppError::new("not_demo", "只有演示县可以切换身份"));
    }
    session::sign_in(&state, &user_id, session::DEMO_PASSWORD)?;
    tracing::info!("demo user switched");
    Ok(query::app_status(&*state.replica()?, &state.data_dir())?)
}
