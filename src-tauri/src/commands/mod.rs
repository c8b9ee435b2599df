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
pub mod conflicts;
pub mod duplicates;
pub mod elders;
pub mod meals;
pub mod review;
pub mod roster;
pub mod session;
pub mod sync;
pub mod visits;

use tauri::ipc::{InvokeBody, Request};

use crate::error::{AppError, CmdResult};

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
