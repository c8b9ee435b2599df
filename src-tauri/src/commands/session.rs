//! Sign-in, sign-out (and the idle lock), password change: thin over [`crate::session`].

use tauri::State;
use xianglin_schema::api::{ChangePassword, SessionStatus, SetUpPassword, SignIn, SignInWithCode};

use crate::error::CmdResult;
use crate::session;
use crate::state::AppState;

/// Where this PC stands and what the sign-in page offers (answers before anyone signs in).
#[tauri::command(async)]
pub fn session_status(state: State<'_, AppState>) -> CmdResult<SessionStatus> {
    session::status(&state)
}

/// Signs a person in with their password (argon2id: a few hundred milliseconds, off the UI thread).
#[tauri::command(async)]
pub fn sign_in(state: State<'_, AppState>, request: SignIn) -> CmdResult<SessionStatus> {
    session::sign_in(&state, &request.user_id, &request.password)
}

/// A first sign-in or a reset with the county's one-time code, setting a password. When the
/// code has not reached this PC, the county server is asked for it first (online).
#[tauri::command]
pub async fn sign_in_with_code(state: State<'_, AppState>, request: SignInWithCode) -> CmdResult<SessionStatus> {
    if let Some((url, pin, ask)) = session::code_request(&state, &request.user_id)? {
        let fetched = xianglin_sync::client::http::code_wrap(&url, pin.as_deref(), &ask).await;
        session::hold_fetched_code(&state, &request.user_id, fetched)?;
    }
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        session::sign_in_with_code(&state, &request.user_id, &request.code, &request.new_password)
    })
    .await
    .map_err(|error| crate::error::AppError::internal(&error.to_string()))?
}

/// The upgrade from an earlier version: a password for the person who set up this PC.
#[tauri::command(async)]
pub fn set_up_password(state: State<'_, AppState>, request: SetUpPassword) -> CmdResult<SessionStatus> {
    session::set_up_password(&state, &request.password)
}

/// Signs out, or locks after the idle time (the page keeps its form; the backend forgets who).
#[tauri::command(async)]
pub fn sign_out(state: State<'_, AppState>) -> CmdResult<SessionStatus> {
    session::sign_out(&state);
    session::status(&state)
}

#[tauri::command(async)]
pub fn change_password(state: State<'_, AppState>, request: ChangePassword) -> CmdResult<()> {
    session::change_password(&state, &request.old_password, &request.new_password)
}
