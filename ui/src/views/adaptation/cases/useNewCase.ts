import { computed, reactive, ref, type Ref } from 'vue'
import type { AdaptationEligibility } from '@/bindings/AdaptationEligibility'
import type { CaseDetail } from '@/bindings/CaseDetail'
import type { ElderRow } from '@/bindings/ElderRow'
import { adaptationEligibility, openAdaptationCase } from '@/api/adaptation'
import { searchElders } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { i18n } from '@/locales'

/** How many elders a search offers: enough to scroll through one surname of a township. */
const searchPageSize = 50

/** The application as the form holds it. */
export interface NewCaseForm {
  elderId: string | null
  applicantName: string
  applicantRelation: string
  dwellingOwner: string
  ownerConsentNeeded: boolean
  neighbourConsentNeeded: boolean
  notes: string
}

const blankForm = (): NewCaseForm => ({
  elderId: null,
  applicantName: '',
  applicantRelation: '',
  dwellingOwner: '',
  ownerConsentNeeded: false,
  neighbourConsentNeeded: false,
  notes: '',
})

/**
 * Opening a case file: an elder found in the township's registry by name, pinyin, initials or ID
 * number; whether the household may apply (and why, its cap, its case still open), asked as soon
 * as the elder is chosen; the application's facts, which start as the elder applying for their
 * own home. Only an eligible household without an open case may be opened (the backend decides
 * again); a refusal keeps the form and sets `error` to the backend's message.
 */
export function useNewCase(townshipCode: Ref<string | null>) {
  const form = reactive<NewCaseForm>(blankForm())
  const elderOptions = ref<ElderRow[]>([])
  const eligibility = ref<AdaptationEligibility | null>(null)
  const checking = ref(false)
  const saving = ref(false)
  const error = ref<AppError | null>(null)
  const problems = ref<string[]>([])

  /** The household may be opened: eligible, and without a case still open. */
  const canOpen = computed(
    () => eligibility.value !== null && eligibility.value.eligibility.eligible && eligibility.value.open_case_id === null,
  )

  let latestSearch = 0
  async function findElders(query: string) {
    const thisSearch = ++latestSearch
    if (query.trim() === '') {
      elderOptions.value = []
      return
    }
    try {
      const page = await searchElders({
        place_code: townshipCode.value,
        query: query.trim(),
        include_inactive: false,
        page: 1,
        page_size: searchPageSize,
      })
      if (thisSearch === latestSearch) elderOptions.value = page.items
    } catch (rejection) {
      if (thisSearch === latestSearch) error.value = toAppError(rejection)
    }
  }

  let latestCheck = 0
  /** Takes the chosen elder and asks whether the household may apply; the applicant starts as the elder. */
  async function chooseElder(elderId: string | null) {
    const thisCheck = ++latestCheck
    form.elderId = elderId
    eligibility.value = null
    problems.value = []
    if (elderId === null) return
    const name = elderOptions.value.find((elder) => elder.id === elderId)?.name ?? ''
    form.applicantName = name
    form.applicantRelation = i18n.global.t('adaptation.newCase.self')
    form.dwellingOwner = name
    form.ownerConsentNeeded = false
    checking.value = true
    error.value = null
    try {
      const answer = await adaptationEligibility({ id: elderId })
      if (thisCheck === latestCheck) eligibility.value = answer
    } catch (rejection) {
      if (thisCheck === latestCheck) error.value = toAppError(rejection)
    } finally {
      if (thisCheck === latestCheck) checking.value = false
    }
  }

  /** A blank form, for the dialog opened again. */
  function start() {
    Object.assign(form, blankForm())
    elderOptions.value = []
    eligibility.value = null
    problems.value = []
    error.value = null
  }

  /** What the form lacks, worded for the person (the backend checks again). */
  function formProblems(): string[] {
    const t = i18n.global.t
    const found: string[] = []
    if (form.elderId === null) found.push(t('adaptation.newCase.chooseElder'))
    const required = [
      [form.applicantName, 'applicant'],
      [form.applicantRelation, 'applicantRelation'],
      [form.dwellingOwner, 'dwellingOwner'],
    ] as const
    for (const [value, field] of required) {
      if (value.trim() === '') found.push(t('adaptation.newCase.required', { field: t(`adaptation.newCase.${field}`) }))
    }
    return found
  }

  /** Opens the case; resolves to it, or null (then `problems` or `error` says why and the form stays). */
  async function open(): Promise<CaseDetail | null> {
    problems.value = formProblems()
    if (problems.value.length > 0 || form.elderId === null) return null
    saving.value = true
    error.value = null
    try {
      return await openAdaptationCase({
        elder_id: form.elderId,
        application: {
          applicant_name: form.applicantName.trim(),
          applicant_relation: form.applicantRelation.trim(),
          dwelling_owner: form.dwellingOwner.trim(),
          owner_consent_needed: form.ownerConsentNeeded,
          neighbour_consent_needed: form.neighbourConsentNeeded,
        },
        notes: form.notes.trim(),
      })
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      saving.value = false
    }
  }

  return { form, elderOptions, eligibility, checking, saving, error, problems, canOpen, findElders, chooseElder, start, open }
}
