//! Attachments: storing a photo or scan the person picked, and reading one back to show.

use base64::Engine;
use tauri::State;
use xianglin_schema::api::{AttachmentData, AttachmentFile, AttachmentId};
use xianglin_schema::record::Attachment;

use crate::error::CmdResult;
use crate::state::AppState;

/// Stores a photo or scan (once, by its SHA-256) and describes it.
#[tauri::command(async)]
pub fn add_attachment(state: State<'_, AppState>, request: AttachmentFile) -> CmdResult<Attachment> {
    Ok(state.attachments().put(&request.bytes)?)
}

/// A stored attachment as a `data:` URL, for thumbnails.
#[tauri::command(async)]
pub fn attachment_data(state: State<'_, AppState>, request: AttachmentId) -> CmdResult<AttachmentData> {
    let attachment = state.attachments().describe(&request.sha256)?;
    let bytes = state.attachments().get(&request.sha256)?;
    let data_url =
        format!("data:{};base64,{}", attachment.mime, base64::engine::general_purpose::STANDARD.encode(bytes));
    Ok(AttachmentData { attachment, data_url })
}
