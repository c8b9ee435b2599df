//! Tauri commands, one module per area. Each command takes the state and at most one request
//! and calls `xianglin-domain` (or `xianglin-sync`); none holds logic of its own. Files the
//! person picks (photos, roster workbooks, sync answer files) arrive as raw IPC bodies and
//! stored photos leave as raw bytes ([`raw_body`], `tauri::ipc::Response`), not as JSON arrays
//! of numbers (a 10 MB photo was about 40 MB of JSON). Every command runs on the async
//! runtime's threads (`#[tauri::command(async)]`), never on the main thread, which also drives the
//! window: a query never freezes painting, and two requests from the page do not queue behind the
//! window's own work (the replica's mutex orders them).

pub mod access;
pub mod adaptation;
pub mod app;
pub mod attachments;
pub mod backup;
pub mod conflicts;
pub mod duplicates;
pub mod elders;
pub mod meals;
pub mod review;
pub mod roster;
pub mod session;
pub mod sync;
pub mod update;
pub mod visits;

use tauri::ipc::{InvokeBody, Request};
use xianglin_schema::api::FilePassword;
use xianglin_schema::policy::SessionRules;
use xianglin_schema::{Problem, Rule};

use crate::error::{AppError, CmdResult};
use crate::state::AppState;

/// The password a file with personal data is to be locked with, refused if shorter than the
/// county's minimum password length (the same rule as sign-in passwords).
pub(crate) fn file_password<'a>(state: &AppState, password: &'a FilePassword) -> CmdResult<&'a str> {
    let min = state
        .keyring()
        .as_ref()
        .map_or(SessionRules::default().min_password_length, |ring| ring.rules.min_password_length);
    if password.0.chars().count() < min as usize {
        let message = format!("文件密码至少需要 {min} 个字符");
        let problem = Problem { field: "password".into(), rule: Rule::OutOfRange, message: message.clone() };
        return Err(AppError { code: "invalid", message, problems: vec![problem] });
    }
    Ok(&password.0)
}

/// The bytes a command was sent as its raw body, refused past `limit` bytes (a file the person
/// picked: the UI sends it as a `Uint8Array`). A webview that cannot send raw bodies falls back to
/// a JSON array of bytes, which is taken too.
pub(crate) fn raw_body(request: &Request<'_>, limit: usize, what: &str) -> CmdResult<Vec<u8>> {
    let too_big = || AppError::new("too_large", format!("{what}不能超过 {} MB", limit / 1024 / 1024));
    match request.body() {
        InvokeBody::Raw(bytes) if bytes.len() > limit => Err(too_big()),
        InvokeBody::Raw(bytes) => Ok(bytes.clone()),
        InvokeBody::Json(serde_json::Value::Array(values)) if values.len() > limit => Err(too_big()),
        InvokeBody::Json(serde_json::Value::Array(values)) => values
            .iter()
            .map(|value| value.as_u64().and_then(|byte| u8::try_from(byte).ok()))
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| AppError::new("invalid", format!("{what}的内容无法读取，请重新选择文件"))),
        InvokeBody::Json(_) => Err(AppError::new("invalid", format!("{what}的内容无法读取，请重新选择文件"))),
    }
}
