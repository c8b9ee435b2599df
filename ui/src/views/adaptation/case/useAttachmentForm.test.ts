import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import { addCaseAttachment } from '@/api/adaptation'
import { addAttachment } from '@/api/attachments'
import { caseDetailAt } from './caseDetailFixture'
import { defaultKind, useAttachmentForm } from './useAttachmentForm'

vi.mock('@/api/adaptation', () => ({ addCaseAttachment: vi.fn() }))
vi.mock('@/api/attachments', () => ({ addAttachment: vi.fn() }))

describe('useAttachmentForm', () => {
  beforeEach(() => {
    vi.mocked(addCaseAttachment).mockReset()
    vi.mocked(addAttachment)
      .mockReset()
      .mockImplementation(async (bytes) => ({ sha256: `sha-${Array.from(bytes).join('.')}`, mime: 'image/png', size: bytes.length }))
  })

  it('starts as a photo before the works until 验收, after them from then on, and a scan for a document', () => {
    expect(defaultKind('application', null)).toBe('before_photo')
    expect(defaultKind('acceptance', null)).toBe('after_photo')
    expect(defaultKind('application', 'commitment')).toBe('signed_form')
    expect(defaultKind('application', 'id_card')).toBe('other')
  })

  it('offers the steps the case has reached, stores the picked file’s bytes and names it by hash', async () => {
    vi.mocked(addCaseAttachment).mockResolvedValue(caseDetailAt('construction'))
    const shown = useAttachmentForm(ref(caseDetailAt('construction')))
    expect(shown.steps.value.at(-1)).toBe('construction')
    expect(shown.steps.value).toHaveLength(6)

    shown.start()
    expect([shown.form.step, shown.form.kind]).toEqual(['construction', 'before_photo'])
    shown.form.caption = ' 门槛 '
    shown.form.file = new File([new Uint8Array([137, 80, 78, 71])], '门槛.png', { type: 'image/png' })
    expect(await shown.add()).not.toBeNull()
    expect(addAttachment).toHaveBeenCalledExactlyOnceWith(new Uint8Array([137, 80, 78, 71]))
    expect(addCaseAttachment).toHaveBeenCalledWith({
      case_id: 'case-1',
      step: 'construction',
      kind: 'before_photo',
      caption: '门槛',
      document: null,
      sha256: 'sha-137.80.78.71',
    })
  })

  it('a refused file keeps the dialog as filled, shows the backend message and names nothing on the case', async () => {
    vi.mocked(addAttachment).mockRejectedValue({ code: 'invalid', message: '文件不是 JPEG、PNG、WebP 或 PDF' })
    const shown = useAttachmentForm(ref(caseDetailAt('application')))
    shown.start('hardship_proof')
    shown.form.file = new File(['hello'], '证明.txt')

    expect(await shown.add()).toBeNull()
    expect(shown.error.value?.message).toBe('文件不是 JPEG、PNG、WebP 或 PDF')
    expect([shown.form.document, shown.form.kind, shown.form.file?.name]).toEqual(['hardship_proof', 'other', '证明.txt'])
    expect(addCaseAttachment).not.toHaveBeenCalled()
  })
})
