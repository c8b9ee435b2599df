//! Attachments: storing a photo or scan the person picked (a raw IPC body), and reading one back
//! (raw bytes) to show.

use tauri::State;
use tauri::ipc::{Request, Response};
use xianglin_schema::api::AttachmentId;
use xianglin_schema::record::Attachment;
use xianglin_sync::attachments::MAX_ATTACHMENT_BYTES;

use super::raw_body;
use crate::error::CmdResult;
use crate::state::AppState;

/// Stores a photo or scan (once, by its SHA-256) and describes it. The body is the file's bytes.
#[tauri::command(async)]
pub fn add_attachment(state: State<'_, AppState>, request: Request<'_>) -> CmdResult<Attachment> {
    let bytes = raw_body(&request, MAX_ATTACHMENT_BYTES, "附件")?;
    Ok(state.attachments()?.put(&bytes)?)
}

/// A stored attachment's bytes, for a thumbnail (the UI knows its type from the record).
#[tauri::command(async)]
pub fn attachment_bytes(state: State<'_, AppState>, request: AttachmentId) -> CmdResult<Response> {
    state.attachments()?.describe(&request.sha256)?;
    Ok(Response::new(state.attachments()?.get(&request.sha256)?))
}
