import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import type { CaseAttachmentRow } from '@/bindings/CaseAttachmentRow'
import type { CaseDetail } from '@/bindings/CaseDetail'
import { attachmentBytes } from '@/api/attachments'
import { caseDetailAt } from './caseDetailFixture'
import { useCaseAttachments } from './useCaseAttachments'

vi.mock('@/api/attachments', () => ({ attachmentBytes: vi.fn() }))

const flush = async () => {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

const attachment = (sha256: string, mime: string): CaseAttachmentRow => ({
  sha256,
  attachment: { step: 'application', kind: 'before_photo', caption: '卫生间', mime, size: 70, added_at: '2026-11-23T09:00:00', added_by: 'u' },
  step_label: '申请',
  kind_label: '改造前照片',
})

describe('useCaseAttachments', () => {
  /** The object URLs made, each naming the blob's type and size. */
  beforeEach(() => {
    vi.mocked(attachmentBytes)
      .mockReset()
      .mockImplementation(async ({ sha256 }) => new TextEncoder().encode(sha256.repeat(3)).buffer as ArrayBuffer)
    URL.createObjectURL = vi.fn((blob: Blob) => `blob:${blob.type}:${blob.size}`)
  })

  it('reads a thumbnail once for each image, not for a PDF', async () => {
    const detail = ref<CaseDetail | null>(null)
    const shown = useCaseAttachments(detail)
    detail.value = caseDetailAt('construction', { attachments: [attachment('aa', 'image/png'), attachment('bb', 'application/pdf')] })
    await flush()
    // The raw bytes (6 of them) become an image of the record's type.
    expect(shown.thumbnails).toEqual({ aa: 'blob:image/png:6' })
    await shown.loadThumbnails()
    expect(attachmentBytes).toHaveBeenCalledOnce()
  })

  it('a thumbnail that cannot be read says why and leaves the others', async () => {
    vi.mocked(attachmentBytes).mockRejectedValueOnce({ code: 'not_found', message: '附件文件不存在' })
    const shown = useCaseAttachments(ref(caseDetailAt('construction', { attachments: [attachment('aa', 'image/png'), attachment('cc', 'image/jpeg')] })))
    await flush()
    expect(shown.error.value?.message).toBe('附件文件不存在')
    expect(Object.keys(shown.thumbnails)).toEqual(['cc'])
  })
})
