import { reactive, ref, watch, type Ref } from 'vue'
import type { CaseDetail } from '@/bindings/CaseDetail'
import { attachmentData } from '@/api/attachments'
import { toAppError, type AppError } from '@/api/error'

/**
 * The thumbnails of the case's photos and scans: each image read once (by hash) as a data URL
 * with `attachment_data`; a PDF is not read and shows as a file.
 */
export function useCaseAttachments(detail: Ref<CaseDetail | null>) {
  /** SHA-256 → a data: URL, for images. */
  const thumbnails = reactive<Record<string, string>>({})
  const error = ref<AppError | null>(null)

  async function loadThumbnails() {
    for (const row of detail.value?.attachments ?? []) {
      if (!row.attachment.mime.startsWith('image/') || thumbnails[row.sha256]) continue
      try {
        thumbnails[row.sha256] = (await attachmentData({ sha256: row.sha256 })).data_url
      } catch (rejection) {
        error.value = toAppError(rejection)
      }
    }
  }

  watch(() => detail.value?.attachments, () => void loadThumbnails(), { immediate: true })

  return { thumbnails, error, loadThumbnails }
}
