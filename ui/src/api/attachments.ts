import { invoke } from '@tauri-apps/api/core'
import type { Attachment } from '@/bindings/Attachment'
import type { AttachmentData } from '@/bindings/AttachmentData'
import type { AttachmentFile } from '@/bindings/AttachmentFile'
import type { AttachmentId } from '@/bindings/AttachmentId'

// attachments · add: stores a photo or PDF once by its SHA-256 (JPEG/PNG/WebP/PDF up to 10 MB).
export const addAttachment = (request: AttachmentFile) => invoke<Attachment>('add_attachment', { request })

// attachments · show: one stored attachment with its bytes as a data: URL, for a thumbnail.
export const attachmentData = (request: AttachmentId) => invoke<AttachmentData>('attachment_data', { request })
