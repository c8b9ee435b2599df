import { computed, reactive, ref, type Ref } from 'vue'
import type { AttachmentKind } from '@/bindings/AttachmentKind'
import type { CaseDetail } from '@/bindings/CaseDetail'
import type { CaseStep } from '@/bindings/CaseStep'
import type { DocumentKind } from '@/bindings/DocumentKind'
import { addCaseAttachment } from '@/api/adaptation'
import { addAttachment } from '@/api/attachments'
import { toAppError, type AppError } from '@/api/error'
import { caseSteps, stepIndex } from '../steps'

export const attachmentKinds: AttachmentKind[] = ['before_photo', 'after_photo', 'signed_form', 'other']

/** What the add dialog holds: where the file belongs and what it shows, and the file picked. */
export interface AttachmentForm {
  step: CaseStep
  kind: AttachmentKind
  caption: string
  document: DocumentKind | null
  file: File | null
}

/** The documents a person signs (scanned as 签字表单); the others are certificates (其他). */
const signedDocuments: DocumentKind[] = ['application_form', 'commitment', 'owner_consent', 'neighbour_consent']

/**
 * The kind a new attachment starts as: a scanned document as a signed form or a certificate;
 * otherwise a photo, after the works from 验收 on, before them until then.
 */
export function defaultKind(step: CaseStep, document: DocumentKind | null): AttachmentKind {
  if (document !== null) return signedDocuments.includes(document) ? 'signed_form' : 'other'
  return stepIndex(step) >= stepIndex('acceptance') ? 'after_photo' : 'before_photo'
}

/**
 * Adding a photo or scan to the case at a step it has reached, optionally as an application
 * document it provides; the picked file is stored first (raw bytes), then named by its hash. A refused file keeps the dialog as
 * filled and sets `error` to the backend's message.
 */
export function useAttachmentForm(detail: Ref<CaseDetail | null>) {
  const form = reactive<AttachmentForm>({ step: 'application', kind: 'before_photo', caption: '', document: null, file: null })
  const adding = ref(false)
  const error = ref<AppError | null>(null)

  /** The steps an attachment may be added at: those the case has reached. */
  const steps = computed(() => {
    const progress = detail.value?.progress
    if (!progress) return []
    return caseSteps.filter((step) => stepIndex(step) <= stepIndex(progress.step))
  })

  /** A blank dialog at the current step, or at 申请 for scanning one application document. */
  function start(document: DocumentKind | null = null) {
    const step = document !== null ? 'application' : (detail.value?.progress.step ?? 'application')
    Object.assign(form, { step, kind: defaultKind(step, document), caption: '', document, file: null })
    error.value = null
  }

  /** Stores the picked file on the case; resolves to the case as saved, or null (the dialog stays). */
  async function add(): Promise<CaseDetail | null> {
    const shown = detail.value
    const file = form.file
    if (!shown || !file) return null
    adding.value = true
    error.value = null
    try {
      // The file goes first, as a raw body; the case then names it by its hash.
      const { sha256 } = await addAttachment(new Uint8Array(await file.arrayBuffer()))
      return await addCaseAttachment({
        case_id: shown.case.id,
        step: form.step,
        kind: form.kind,
        caption: form.caption.trim(),
        document: form.document,
        sha256,
      })
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      adding.value = false
    }
  }

  return { form, adding, error, steps, start, add }
}
