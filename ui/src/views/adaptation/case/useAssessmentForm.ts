import { computed, reactive, ref } from 'vue'
import type { Assessment } from '@/bindings/Assessment'
import type { AssessmentItem } from '@/bindings/AssessmentItem'
import type { AssessmentReason } from '@/bindings/AssessmentReason'
import type { RiskEvent } from '@/bindings/RiskEvent'
import { elderAssessments, recordAssessment } from '@/api/adaptation'
import { toAppError, type AppError } from '@/api/error'
import { enumLabel, i18n } from '@/locales'
import { localDateTime } from '@/utils/time'
import { assessmentItems, previewScore, riskEvents, type ScoreSheet } from './assessmentScoring'
import { clock } from '@/utils/clock'

export const assessmentReasons: AssessmentReason[] = ['first', 'routine', 'immediate', 'reassessment', 'other']

/** The assessment as the form holds it: every item unscored (null) to start with. */
export interface AssessmentFormState {
  assessedOn: string
  reason: AssessmentReason
  assessor: string
  scores: Record<AssessmentItem, number | null>
  coma: boolean
  dementia: boolean
  mentalDisorder: boolean
  riskEvents: Record<RiskEvent, number>
  notes: string
}

const emptyMeta = { created_at: '', created_by: '', voided_at: null, voided_by: null, void_reason: null }

/**
 * Recording an ability assessment (GB/T 42195-2022) of the case's elder, with the total and
 * both levels previewed as the items are scored, and the elder's earlier assessments. Every item
 * must be scored and the assessor named before it is sent; the backend checks again, scores it
 * and keeps its result. A refused save keeps the form and sets `error` to the backend's message.
 */
export function useAssessmentForm(elderId: () => string | null, now: () => Date = clock.now) {
  const today = () => localDateTime(now()).slice(0, 10)
  const blank = (): AssessmentFormState => ({
    assessedOn: today(),
    reason: 'first',
    assessor: '',
    scores: Object.fromEntries(assessmentItems.map(({ item }) => [item, null])) as Record<AssessmentItem, number | null>,
    coma: false,
    dementia: false,
    mentalDisorder: false,
    riskEvents: Object.fromEntries(riskEvents.map((event) => [event, 0])) as Record<RiskEvent, number>,
    notes: '',
  })
  const form = reactive<AssessmentFormState>(blank())
  const history = ref<Assessment[]>([])
  const saving = ref(false)
  const error = ref<AppError | null>(null)
  const problems = ref<string[]>([])

  const preview = computed(() =>
    previewScore(form.scores as ScoreSheet, {
      coma: form.coma,
      dementia: form.dementia,
      mentalDisorder: form.mentalDisorder,
      riskEvents: form.riskEvents,
    }),
  )

  /** The items not scored yet, in form order. */
  const unscored = computed(() => assessmentItems.filter(({ item }) => form.scores[item] === null).map(({ item }) => item))

  function clear() {
    Object.assign(form, blank())
    problems.value = []
  }

  /** What keeps the form from being sent, every problem at once. */
  function formProblems(): string[] {
    const t = i18n.global.t
    const found: string[] = []
    if (!form.assessedOn) found.push(t('adaptation.assessment.required', { field: t('adaptation.assessment.assessedOn') }))
    else if (form.assessedOn > today()) found.push(t('adaptation.assessment.futureDate'))
    if (form.assessor.trim() === '') found.push(t('adaptation.assessment.required', { field: t('adaptation.assessment.assessor') }))
    if (unscored.value.length > 0) {
      const items = unscored.value.map((item) => enumLabel('assessment_item', item)).join('、')
      found.push(t('adaptation.assessment.unscored', { count: unscored.value.length, items }))
    }
    return found
  }

  /** The record the backend takes: a new one (empty id), every item scored, events counted. */
  function draft(id: string): Assessment {
    const scores: Assessment['scores'] = {}
    for (const { item } of assessmentItems) {
      const score = form.scores[item]
      if (score !== null) scores[item] = score
    }
    const events: Assessment['risk_events'] = {}
    for (const event of riskEvents) {
      if (form.riskEvents[event] > 0) events[event] = form.riskEvents[event]
    }
    return {
      id: '',
      elder_id: id,
      standard: 'gb_t_42195_2022',
      assessed_on: form.assessedOn,
      reason: form.reason,
      assessor: form.assessor.trim(),
      scores,
      coma: form.coma,
      dementia: form.dementia,
      mental_disorder: form.mentalDisorder,
      risk_events: events,
      notes: form.notes.trim(),
      result: null,
      meta: emptyMeta,
    }
  }

  async function loadHistory() {
    const id = elderId()
    if (!id) {
      history.value = []
      return
    }
    try {
      history.value = await elderAssessments({ id })
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
  }

  /** Saves the assessment; resolves to it as scored and stored, then the form starts again (same assessor). */
  async function save(): Promise<Assessment | null> {
    const id = elderId()
    problems.value = formProblems()
    if (!id || problems.value.length > 0) return null
    saving.value = true
    error.value = null
    try {
      const saved = await recordAssessment(draft(id))
      // The same assessor goes on to the next one.
      const assessor = form.assessor
      clear()
      form.assessor = assessor
      await loadHistory()
      return saved
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      saving.value = false
    }
  }

  return { form, history, saving, error, problems, preview, unscored, clear, draft, loadHistory, save }
}
