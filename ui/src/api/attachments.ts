import { invoke } from '@tauri-apps/api/core'
import type { Attachment } from '@/bindings/Attachment'
import type { AttachmentId } from '@/bindings/AttachmentId'

// attachments · add: stores a photo or PDF once by its SHA-256 (JPEG/PNG/WebP/PDF up to 10 MB).
// The file's bytes go as the raw body, not as a JSON array of numbers.
export const addAttachment = (bytes: Uint8Array) => invoke<Attachment>('add_attachment', bytes)

// attachments · show: one stored attachment's bytes (raw), for a thumbnail.
export const attachmentBytes = (request: AttachmentId) => invoke<ArrayBuffer>('attachment_bytes', { request })
