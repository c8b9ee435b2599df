import { invoke } from '@tauri-apps/api/core'
import type { AdaptationCaseList } from '@/bindings/AdaptationCaseList'
import type { AdaptationCasesRequest } from '@/bindings/AdaptationCasesRequest'
import type { AdaptationCatalog } from '@/bindings/AdaptationCatalog'
import type { AdaptationCatalogRequest } from '@/bindings/AdaptationCatalogRequest'
import type { AdaptationEligibility } from '@/bindings/AdaptationEligibility'
import type { AddCaseAttachment } from '@/bindings/AddCaseAttachment'
import type { Assessment } from '@/bindings/Assessment'
import type { CaseDetail } from '@/bindings/CaseDetail'
import type { CaseId } from '@/bindings/CaseId'
import type { PrintCaseFile } from '@/bindings/PrintCaseFile'
import type { ElderId } from '@/bindings/ElderId'
import type { OpenAdaptationCase } from '@/bindings/OpenAdaptationCase'
import type { RecordCaseStep } from '@/bindings/RecordCaseStep'
import type { SaveAdaptationCase } from '@/bindings/SaveAdaptationCase'
import type { SaveCasePlan } from '@/bindings/SaveCasePlan'
import type { SavedFile } from '@/bindings/SavedFile'
import type { SignCasePlan } from '@/bindings/SignCasePlan'

// adaptation · new case: whether an elder's household may apply, why, its cap, and its case still open.
export const adaptationEligibility = (request: ElderId) =>
  invoke<AdaptationEligibility>('adaptation_eligibility', { request })

// adaptation · new case: opens a case file (at 申请) for an eligible household; refused with the reasons otherwise.
export const openAdaptationCase = (request: OpenAdaptationCase) => invoke<CaseDetail>('open_adaptation_case', { request })

// adaptation · case: saves the application's facts, where its documents stand, and the notes.
export const saveAdaptationCase = (request: SaveAdaptationCase) => invoke<CaseDetail>('save_adaptation_case', { request })

// adaptation · case: marks the current step done, or returns it to the previous step with a reason.
export const recordCaseStep = (request: RecordCaseStep) => invoke<CaseDetail>('record_case_step', { request })

// adaptation · case plan: saves every line of the plan, priced from the catalog; basic items over the cap are refused.
export const saveCasePlan = (request: SaveCasePlan) => invoke<CaseDetail>('save_case_plan', { request })

// adaptation · case plan: records the elder's signature of the plan as it is.
export const signCasePlan = (request: SignCasePlan) => invoke<CaseDetail>('sign_case_plan', { request })

// adaptation · case attachments: stores a photo or scan and attaches it to the case at a step.
export const addCaseAttachment = (request: AddCaseAttachment) => invoke<CaseDetail>('add_case_attachment', { request })

// adaptation · case: one case file as its page shows it (elder, progress, timeline, documents, plan, attachments).
export const caseDetail = (request: CaseId) => invoke<CaseDetail>('case_detail', { request })

// adaptation · cases: the cases of a place, longest waiting first, with how many wait at each step.
export const adaptationCases = (request: AdaptationCasesRequest) =>
  invoke<AdaptationCaseList>('adaptation_cases', { request })

// adaptation · assessment: records an ability assessment (GB/T 42195-2022); answers with it scored.
export const recordAssessment = (request: Assessment) => invoke<Assessment>('record_assessment', { request })

// adaptation · assessment: every assessment of an elder, newest first.
export const elderAssessments = (request: ElderId) => invoke<Assessment[]>('elder_assessments', { request })

// adaptation · case plan: the county's catalog and caps of the policy in force on a day (null: today).
export const adaptationCatalog = (request: AdaptationCatalogRequest) =>
  invoke<AdaptationCatalog>('adaptation_catalog', { request })

// adaptation · case: prints the household's case file (一户一档) as PDF to the export folder.
export const printCaseFile = (request: PrintCaseFile) => invoke<SavedFile>('print_case_file', { request })
