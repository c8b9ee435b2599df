import { invoke } from '@tauri-apps/api/core'
import type { CaseworkerOption } from '@/bindings/CaseworkerOption'
import type { CaseworkersRequest } from '@/bindings/CaseworkersRequest'
import type { Coverage } from '@/bindings/Coverage'
import type { CoverageRequest } from '@/bindings/CoverageRequest'
import type { DueList } from '@/bindings/DueList'
import type { DueListRequest } from '@/bindings/DueListRequest'
import type { ReferralRow } from '@/bindings/ReferralRow'
import type { ReferralsRequest } from '@/bindings/ReferralsRequest'
import type { UpdateReferral } from '@/bindings/UpdateReferral'
import type { Visit } from '@/bindings/Visit'
import type { VisitDraft } from '@/bindings/VisitDraft'
import type { VisitSaved } from '@/bindings/VisitSaved'
import type { PrintVisitRegister } from '@/bindings/PrintVisitRegister'
import type { SavedFile } from '@/bindings/SavedFile'

// visits · due list: who in a place is overdue or due this week or month, high-risk first.
export const dueList = (request: DueListRequest) => invoke<DueList>('due_list', { request })

// visits · due list: the caseworkers of a place, each with their villages, to pick one's list.
export const caseworkers = (request: CaseworkersRequest) => invoke<CaseworkerOption[]>('caseworkers', { request })

// visits · record: saves one visit; an urgent finding comes back with what to do now.
export const recordVisit = (request: VisitDraft) => invoke<VisitSaved>('record_visit', { request })

// visits · coverage: 月探访率 of a place and of each place one level down, with who was missed.
export const coverage = (request: CoverageRequest) => invoke<Coverage>('coverage', { request })

// visits · referrals: the referrals of a place to follow up, open first, then in progress, then closed.
export const referrals = (request: ReferralsRequest) => invoke<ReferralRow[]>('referrals', { request })

// visits · referrals: moves one referral along open → in progress → closed; a closed one cannot change.
export const updateReferral = (request: UpdateReferral) => invoke<Visit>('update_referral', { request })

// elders · registry: saves a village's monthly visit register (探访记录表) as a PDF.
export const printVisitRegister = (request: PrintVisitRegister) =>
  invoke<SavedFile>('print_visit_register', { request })
