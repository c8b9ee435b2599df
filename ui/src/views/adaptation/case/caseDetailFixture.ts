// A case file as the backend answers with it, for the tests of the case page's composables.
import type { CaseDetail } from '@/bindings/CaseDetail'
import type { CaseEventRow } from '@/bindings/CaseEventRow'
import type { CaseStep } from '@/bindings/CaseStep'
import type { StepOutcome } from '@/bindings/StepOutcome'

const meta = { created_at: '2026-11-02T09:00:00', created_by: 'u-director', voided_at: null, voided_by: null, void_reason: null }

/** A timeline row: `step` done or returned on `day` of November 2026. */
export function eventRow(step: CaseStep, outcome: StepOutcome, day: number, notes = '', applied = true): CaseEventRow {
  const at = `2026-11-${String(day).padStart(2, '0')}T10:00:00`
  return {
    event: { id: `ev-${step}-${day}`, case_id: 'case-1', step, outcome, by: 'u-director', at, notes, meta },
    step_label: step,
    outcome_label: outcome === 'done' ? '审核通过' : '退回',
    by_name: '刘站长',
    applied,
  }
}

/** A rural case of 王秀英 (cap 2,000 元) opened on 2026-11-02, at `step`, with `extra` over it. */
export function caseDetailAt(step: CaseStep, extra: Partial<CaseDetail> = {}): CaseDetail {
  return {
    case: {
      id: 'case-1',
      elder_id: 'elder-1',
      village_code: '360733105201',
      urban: false,
      application: {
        applicant_name: '王秀英',
        applicant_relation: '本人',
        dwelling_owner: '王秀英',
        owner_consent_needed: false,
        neighbour_consent_needed: false,
      },
      documents: {},
      attachments: {},
      plan: {},
      plan_policy_version: null,
      plan_signed: null,
      assessment_id: null,
      notes: '',
      meta,
    },
    case_number: '20261102-4F2A9C',
    elder: {
      elder_id: 'elder-1',
      name: '王秀英',
      id_number_masked: '3607**********0026',
      gender: 'female',
      age: 84,
      address: '白沙村3组',
      phone: null,
      economic_status: 'dibao',
      categories: [],
      village_name: '白沙村',
      township_code: '360733105000',
      township_name: '庄口镇',
    },
    eligibility: { eligible: true, summary: '符合改造条件：家庭经济状况为低保，属于改造对象，老人年满80周岁', reasons: [] },
    progress: { step, archived: false, since: '2026-11-02T09:00:00', returned_reason: null, ignored: [] },
    step_label: step,
    days_waiting: 3,
    county_step: step === 'county_review' || step === 'settlement',
    missing: [],
    timeline: [],
    documents: [],
    plan: [],
    plan_totals: { total: 0, basic: 0, optional: 0, subsidy: 0, self_paid: 0, cap: 200000 },
    attachments: [],
    assessment: null,
    ...extra,
  }
}
