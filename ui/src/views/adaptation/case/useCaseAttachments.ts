import { reactive, ref, watch, type Ref } from 'vue'
import type { CaseDetail } from '@/bindings/CaseDetail'
import { attachmentBytes } from '@/api/attachments'
import { toAppError, type AppError } from '@/api/error'

/**
 * The thumbnails of the case's photos and scans: each image read once (by hash) as raw bytes
 * with `attachment_bytes` and shown through an object URL; a PDF is not read and shows as a file.
 */
export function useCaseAttachments(detail: Ref<CaseDetail | null>) {
  /** SHA-256 → an object URL of the image's bytes. */
  const thumbnails = reactive<Record<string, string>>({})
  const error = ref<AppError | null>(null)

  async function loadThumbnails() {
    for (const row of detail.value?.attachments ?? []) {
      if (!row.attachment.mime.startsWith('image/') || thumbnails[row.sha256]) continue
      try {
        const bytes = await attachmentBytes({ sha256: row.sha256 })
        thumbnails[row.sha256] = URL.createObjectURL(new Blob([bytes], { type: row.attachment.mime }))
      } catch (rejection) {
        error.value = toAppError(rejection)
      }
    }
  }

  watch(() => detail.value?.attachments, () => void loadThumbnails(), { immediate: true })

  return { thumbnails, error, loadThumbnails }
}
