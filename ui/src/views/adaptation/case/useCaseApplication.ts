import { computed, reactive, ref, type Ref } from 'vue'
import type { CaseApplication } from '@/bindings/CaseApplication'
import type { CaseDetail } from '@/bindings/CaseDetail'
import type { DocumentKind } from '@/bindings/DocumentKind'
import type { DocumentState } from '@/bindings/DocumentState'
import { saveAdaptationCase } from '@/api/adaptation'
import { toAppError, type AppError } from '@/api/error'

/** The application documents in the order of the form. */
export const documentKinds: DocumentKind[] = [
  'application_form',
  'commitment',
  'id_card',
  'dwelling_proof',
  'hardship_proof',
  'owner_consent',
  'neighbour_consent',
]

/** The consents an application needs only sometimes; the others it always needs. */
const sometimesNeeded: Partial<Record<DocumentKind, keyof CaseApplication>> = {
  owner_consent: 'owner_consent_needed',
  neighbour_consent: 'neighbour_consent_needed',
}

/** Whether `application` needs the document: the consents when it says so, the others always. */
export function documentNeeded(kind: DocumentKind, application: CaseApplication): boolean {
  const flag = sometimesNeeded[kind]
  return flag === undefined ? true : application[flag] === true
}

/** The states the person may choose for a document: 无需提供 only for a document the application does not need. */
export function documentStates(kind: DocumentKind, application: CaseApplication): DocumentState[] {
  return documentNeeded(kind, application) ? ['provided', 'missing'] : ['provided', 'missing', 'not_needed']
}

/**
 * The application's facts, where each document stands, and the case's notes, as a form over the
 * case shown. A document the application no longer needs becomes 无需提供 unless provided, and one
 * it now needs becomes 缺 unless provided, as the backend does on save. A refused save keeps the
 * form and sets `error` to the backend's message.
 */
export function useCaseApplication(detail: Ref<CaseDetail | null>) {
  const application = reactive<CaseApplication>({
    applicant_name: '',
    applicant_relation: '',
    dwelling_owner: '',
    owner_consent_needed: false,
    neighbour_consent_needed: false,
  })
  const documents = reactive<Record<DocumentKind, DocumentState>>(
    Object.fromEntries(documentKinds.map((kind) => [kind, 'missing'])) as Record<DocumentKind, DocumentState>,
  )
  const notes = ref('')
  const saving = ref(false)
  const error = ref<AppError | null>(null)

  /** The form as the case stands. */
  function reset() {
    const shown = detail.value
    if (!shown) return
    Object.assign(application, shown.case.application)
    for (const row of shown.documents) documents[row.kind] = row.state
    notes.value = shown.case.notes
  }

  /** Keeps each document's state in line with whether the application (as edited) needs it. */
  function followApplication() {
    for (const kind of documentKinds) {
      const state = documents[kind]
      if (state === 'provided') continue
      documents[kind] = documentNeeded(kind, application) ? 'missing' : 'not_needed'
    }
  }

  /** Whether the form differs from `shown`, the case as it was answered. */
  function differsFrom(shown: CaseDetail): boolean {
    const facts = shown.case.application
    return (
      (Object.keys(facts) as (keyof CaseApplication)[]).some((key) => facts[key] !== application[key]) ||
      shown.documents.some((row) => row.state !== documents[row.kind]) ||
      shown.case.notes !== notes.value
    )
  }

  const changed = computed(() => (detail.value ? differsFrom(detail.value) : false))

  /**
   * Follows the case when the backend answers with it: the form starts again from the new case,
   * unless it holds edits not yet saved of the same case (another panel saved meanwhile).
   */
  function follow(next: CaseDetail | null, previous: CaseDetail | null | undefined) {
    if (!next) return
    if (!previous || previous.case.id !== next.case.id || !differsFrom(previous)) reset()
  }

  /** Saves the form; resolves to the case as saved, or null (the form stays as typed). */
  async function save(): Promise<CaseDetail | null> {
    const shown = detail.value
    if (!shown) return null
    saving.value = true
    error.value = null
    try {
      return await saveAdaptationCase({
        case_id: shown.case.id,
        application: {
          ...application,
          applicant_name: application.applicant_name.trim(),
          applicant_relation: application.applicant_relation.trim(),
          dwelling_owner: application.dwelling_owner.trim(),
        },
        documents: { ...documents },
        notes: notes.value.trim(),
      })
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      saving.value = false
    }
  }

  return { application, documents, notes, saving, error, changed, reset, follow, followApplication, save }
}
