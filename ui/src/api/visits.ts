import { invoke } from '@tauri-apps/api/core'
import type { Coverage } from '@/bindings/Coverage'
import type { CoverageRequest } from '@/bindings/CoverageRequest'
import type { DueList } from '@/bindings/DueList'
import type { DueListRequest } from '@/bindings/DueListRequest'
import type { VisitDraft } from '@/bindings/VisitDraft'
import type { VisitSaved } from '@/bindings/VisitSaved'

// visits · due list: who in a place is overdue or due this week or month, high-risk first.
export const dueList = (request: DueListRequest) => invoke<DueList>('due_list', { request })

// visits · record: saves one visit; an urgent finding comes back with what to do now.
export const recordVisit = (request: VisitDraft) => invoke<VisitSaved>('record_visit', { request })

// visits · coverage: 月探访率 of a place and of each place one level down, with who was missed.
export const coverage = (request: CoverageRequest) => invoke<Coverage>('coverage', { request })
