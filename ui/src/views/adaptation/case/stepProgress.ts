// Where a case stands step by step, and what this computer may do at its current step. The
// backend replays the events and checks every action; this only arranges what it answered.
import type { CaseDetail } from '@/bindings/CaseDetail'
import type { CaseEventRow } from '@/bindings/CaseEventRow'
import type { CaseStep } from '@/bindings/CaseStep'
import type { Role } from '@/bindings/Role'
import { caseSteps, countySteps, stepIndex } from '../steps'

/** done: behind the case; current: the case is at it; returned: it sent the case back; pending: not reached. */
export type StepState = 'done' | 'current' | 'returned' | 'pending'

/** One of the ten steps as the case's progress bar shows it. */
export interface StepView {
  step: CaseStep
  state: StepState
  /** The last event that applied at this step: who, when, notes. */
  last: CaseEventRow | null
}

/**
 * Every step of the workflow with its state: the steps before the current one are done, the
 * current one is current, a later one whose last applied event returned the case is returned,
 * the rest are not reached. An archived case has every step done. Events that did not apply are
 * left out here (the timeline shows them).
 */
export function stepViews(detail: CaseDetail): StepView[] {
  const current = stepIndex(detail.progress.step)
  const applied = detail.timeline.filter((row) => row.applied)
  return caseSteps.map((step, index) => {
    const last = applied.filter((row) => row.event.step === step).at(-1) ?? null
    let state: StepState
    if (detail.progress.archived || index < current) state = 'done'
    else if (index === current) state = 'current'
    else if (last?.event.outcome === 'returned') state = 'returned'
    else state = 'pending'
    return { step, state, last }
  })
}

/** What this computer is offered at the case's current step. */
export interface StepActions {
  /** The step acted on; null once the case is archived. */
  step: CaseStep | null
  /** Whether the role this computer is enrolled with may act at the step. */
  allowed: boolean
  /** 办理完成: allowed, and nothing is missing (what is missing is listed instead). */
  canFinish: boolean
  /** 退回: allowed, and not the first step. */
  canReturn: boolean
  /** The current step is the county's and this computer is not a county reviewer's. */
  countyStep: boolean
}

/**
 * The actions offered at the current step. The county's steps are a county reviewer's, the
 * township's a station director's or a county reviewer's. A computer that is not enrolled does
 * not know its role: it is offered the actions and the backend refuses whoever may not, with its
 * own message. 办理完成 waits until `missing` is empty; 申请 cannot be returned.
 */
export function stepActions(detail: CaseDetail, role: Role | null): StepActions {
  if (detail.progress.archived) {
    return { step: null, allowed: false, canFinish: false, canReturn: false, countyStep: false }
  }
  const step = detail.progress.step
  const byCounty = countySteps.includes(step)
  const allowed =
    role === null || role === 'county_reviewer' || (!byCounty && role === 'station_director')
  return {
    step,
    allowed,
    canFinish: allowed && detail.missing.length === 0,
    canReturn: allowed && stepIndex(step) > 0,
    countyStep: byCounty && !allowed,
  }
}
