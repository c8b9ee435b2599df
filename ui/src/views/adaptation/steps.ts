// What the adaptation pages share about the workflow: its ten steps in order, and which are the county's.
import type { CaseStep } from '@/bindings/CaseStep'

/** The workflow from 申请 to 归档, in order. */
export const caseSteps: CaseStep[] = [
  'application',
  'township_review',
  'county_review',
  'assessment',
  'plan',
  'construction',
  'acceptance',
  'settlement',
  'follow_up',
  'archived',
]

/** The steps only a county reviewer does (县级审核, 结算拨付); the township does the others. */
export const countySteps: CaseStep[] = ['county_review', 'settlement']

/** A step's place in the workflow, from 0 (申请). */
export const stepIndex = (step: CaseStep) => caseSteps.indexOf(step)

/** A case waiting longer than this many days at one step is shown in red (emphasis only, not a rule). */
export const longWaitDays = 30
