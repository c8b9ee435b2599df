//! Roster files (.xlsx): the template, a checked import, the registry export.

use std::ops::ControlFlow;
use std::sync::atomic::Ordering;

use tauri::ipc::Request;
use tauri::{AppHandle, Emitter, Runtime, State};
use xianglin_domain::locked_workbook;
use xianglin_domain::registry::roster;
use xianglin_schema::api::{ExportRegistry, RosterCheck, RosterImported, RosterPhase, RosterProgress, SavedFile};
use zeroize::Zeroizing;

use super::{file_password, raw_body};
use crate::error::{AppError, CmdResult};
use crate::state::AppState;

/// Saves the empty roster template for a township to fill in.
#[tauri::command(async)]
pub fn roster_template(state: State<'_, AppState>) -> CmdResult<SavedFile> {
    let bytes = roster::template()?;
    Ok(SavedFile { path: state.save_export("老年人信息台账模板.xlsx", &bytes)? })
}

/// A roster workbook is at most this large (a county's registry of 10,000 elders is ~1 MB).
const MAX_ROSTER_BYTES: usize = 20 * 1024 * 1024;

/// The event a roster job reports its progress with.
pub const PROGRESS_EVENT: &str = "roster-progress";

/// A progress callback for a roster job: emits [`PROGRESS_EVENT`] and stops when the person
/// has pressed 取消 ([`cancel_roster`]).
fn reporter<'a, R: Runtime>(
    app: &'a AppHandle<R>,
    state: &'a AppState,
    phase: RosterPhase,
) -> impl FnMut(u32, u32) -> ControlFlow<()> + 'a {
    state.roster_cancelled().store(false, Ordering::SeqCst);
    move |done, total| {
        // A lost event only delays the bar; the job goes on.
        let _ = app.emit(PROGRESS_EVENT, RosterProgress { phase, done, total });
        if state.roster_cancelled().load(Ordering::SeqCst) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    }
}

/// The header a locked roster's password comes in, percent-encoded (`encodeURIComponent`).
const PASSWORD_HEADER: &str = "x-workbook-password";

/// The roster workbook of a request's raw body: unlocked with the password its header gives,
/// if the file is locked (as exported rosters are).
fn roster_file(request: &Request<'_>) -> CmdResult<Zeroizing<Vec<u8>>> {
    let bytes = raw_body(request, MAX_ROSTER_BYTES, "台账文件")?;
    if !locked_workbook::is_locked(&bytes) {
        return Ok(Zeroizing::new(bytes));
    }
    let password = request
        .headers()
        .get(PASSWORD_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(percent_decoded)
        .filter(|password| !password.is_empty())
        .ok_or_else(|| AppError::new("password_required", "该台账文件设有打开密码，请输入文件密码"))?;
    Ok(locked_workbook::unlock(&bytes, &password)?)
}

/// `encodeURIComponent`'s output decoded (UTF-8), or None if it is not that.
fn percent_decoded(text: &str) -> Option<Zeroizing<String>> {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8().ok()?;
    Some(Zeroizing::new(decoded.into_owned()))
}

/// Checks every row of a roster file (the raw body); writes nothing.
#[tauri::command(async)]
pub fn check_roster<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: Request<'_>,
) -> CmdResult<RosterCheck> {
    let bytes = roster_file(&request)?;
    let mut progress = reporter(&app, &state, RosterPhase::Check);
    Ok(roster::check_with(&*state.replica()?, &bytes, &mut progress)?)
}

/// Imports the valid rows of a roster file (the raw body) the person has checked and confirmed.
#[tauri::command(async)]
pub fn import_roster<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: Request<'_>,
) -> CmdResult<RosterImported> {
    let bytes = roster_file(&request)?;
    let mut progress = reporter(&app, &state, RosterPhase::Import);
    Ok(roster::import_with(&mut *state.replica_to_write()?, &bytes, &mut progress)?)
}

/// 取消: stops the roster check or import running; an import stopped writes nothing.
#[tauri::command]
pub fn cancel_roster(state: State<'_, AppState>) {
    state.roster_cancelled().store(true, Ordering::SeqCst);
}

/// Saves the registry of a place as a roster file locked with the person's password (full ID
/// numbers: each elder's access is recorded).
#[tauri::command(async)]
pub fn export_registry(state: State<'_, AppState>, request: ExportRegistry) -> CmdResult<SavedFile> {
    let password = file_password(&state, &request.password)?;
    let (bytes, stamp) = {
        let mut replica = state.replica_to_write()?;
        (
            xianglin_domain::access::export_registry(&mut replica, &request.place_code, password)?,
            replica.now().format("%Y%m%d-%H%M%S"),
        )
    };
    let file_name = format!("老年人信息台账-{}-{stamp}.xlsx", request.place_code);
    Ok(SavedFile { path: state.save_export(&file_name, &bytes)? })
}
