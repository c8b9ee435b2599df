import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import type { CaseDocumentRow } from '@/bindings/CaseDocumentRow'
import type { DocumentKind } from '@/bindings/DocumentKind'
import type { DocumentState } from '@/bindings/DocumentState'
import { saveAdaptationCase } from '@/api/adaptation'
import { caseDetailAt } from './caseDetailFixture'
import { documentKinds, documentStates, useCaseApplication } from './useCaseApplication'

vi.mock('@/api/adaptation', () => ({ saveAdaptationCase: vi.fn() }))

const row = (kind: DocumentKind, state: DocumentState, needed = true): CaseDocumentRow => ({
  kind,
  label: kind,
  state,
  state_label: state,
  needed,
  attachments: [],
})

const documents = documentKinds.map((kind) =>
  kind === 'owner_consent' || kind === 'neighbour_consent' ? row(kind, 'not_needed', false) : row(kind, kind === 'id_card' ? 'provided' : 'missing'),
)

describe('useCaseApplication', () => {
  beforeEach(() => {
    vi.mocked(saveAdaptationCase).mockReset()
  })

  it('offers 无需提供 only for a document the application does not need', () => {
    const own = caseDetailAt('application').case.application
    expect(documentStates('id_card', own)).toEqual(['provided', 'missing'])
    expect(documentStates('owner_consent', own)).toEqual(['provided', 'missing', 'not_needed'])
    expect(documentStates('owner_consent', { ...own, owner_consent_needed: true })).toEqual(['provided', 'missing'])
  })

  it('needs the owner’s consent once the owner is someone else, and sends the whole form', async () => {
    vi.mocked(saveAdaptationCase).mockResolvedValue(caseDetailAt('application'))
    const shown = useCaseApplication(ref(caseDetailAt('application', { documents })))
    shown.reset()
    expect(shown.changed.value).toBe(false)

    shown.application.dwelling_owner = ' 李国强 '
    shown.application.owner_consent_needed = true
    shown.followApplication()
    shown.documents.application_form = 'provided'
    expect(shown.documents.owner_consent).toBe('missing')
    expect(shown.changed.value).toBe(true)

    await shown.save()
    expect(saveAdaptationCase).toHaveBeenCalledWith({
      case_id: 'case-1',
      application: {
        applicant_name: '王秀英',
        applicant_relation: '本人',
        dwelling_owner: '李国强',
        owner_consent_needed: true,
        neighbour_consent_needed: false,
      },
      documents: {
        application_form: 'provided',
        commitment: 'missing',
        id_card: 'provided',
        dwelling_proof: 'missing',
        hardship_proof: 'missing',
        owner_consent: 'missing',
        neighbour_consent: 'not_needed',
      },
      notes: '',
    })
  })

  it('a refused save keeps what was typed and shows the backend message', async () => {
    vi.mocked(saveAdaptationCase).mockRejectedValue({ code: 'invalid', message: '请填写申请人' })
    const shown = useCaseApplication(ref(caseDetailAt('application', { documents })))
    shown.reset()
    shown.application.applicant_name = ''
    shown.notes.value = '老人独居'

    expect(await shown.save()).toBeNull()
    expect(shown.error.value?.message).toBe('请填写申请人')
    expect([shown.application.applicant_name, shown.notes.value]).toEqual(['', '老人独居'])
  })

  it('follows a case answered by another panel, unless the form holds edits not yet saved', () => {
    const detail = ref(caseDetailAt('application', { documents }))
    const shown = useCaseApplication(detail)
    shown.follow(detail.value, undefined)
    const before = detail.value
    detail.value = caseDetailAt('application', { documents, case: { ...before.case, notes: '已补充说明' } })
    shown.follow(detail.value, before)
    expect(shown.notes.value).toBe('已补充说明')

    shown.application.applicant_name = '李国强'
    const edited = detail.value
    detail.value = caseDetailAt('plan', { documents, case: edited.case })
    shown.follow(detail.value, edited)
    expect(shown.application.applicant_name).toBe('李国强')
  })
})
