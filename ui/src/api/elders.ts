import { invoke } from '@tauri-apps/api/core'
import type { ElderDetail } from '@/bindings/ElderDetail'
import type { ElderId } from '@/bindings/ElderId'
import type { ElderPage } from '@/bindings/ElderPage'
import type { ElderSearch } from '@/bindings/ElderSearch'
import type { PlaceNode } from '@/bindings/PlaceNode'
import type { Elder } from '@/bindings/Elder'
import type { HistoryEntry } from '@/bindings/HistoryEntry'
import type { RecordLifeEvent } from '@/bindings/RecordLifeEvent'
import type { SaveElder } from '@/bindings/SaveElder'
import type { SaveElderOutcome } from '@/bindings/SaveElderOutcome'
import type { SetLifeStatus } from '@/bindings/SetLifeStatus'

// elders · registry: the county's townships, each with its villages and elder counts.
export const placeTree = () => invoke<PlaceNode[]>('place_tree')

// elders · registry: one page of elders matching name, pinyin, initials or ID number digits.
export const searchElders = (request: ElderSearch) => invoke<ElderPage>('search_elders', { request })

// elders · detail: one elder with contacts, recent visits and unresolved conflicts.
export const getElder = (request: ElderId) => invoke<ElderDetail>('get_elder', { request })

// elders · edit: adds or edits an elder; a possible duplicate comes back unsaved, to confirm.
export const saveElder = (request: SaveElder) => invoke<SaveElderOutcome>('save_elder', { request })

// elders · edit: the full record to edit, ID number unmasked (the access is logged).
export const elderForEdit = (request: ElderId) => invoke<Elder>('elder_for_edit', { request })

// elders · detail: marks an elder moved away or deceased on a date (or active again).
export const setLifeStatus = (request: SetLifeStatus) => invoke<Elder>('set_life_status', { request })

// elders · detail: records a major life event (重大变故); the next visit falls due within hours.
export const recordLifeEvent = (request: RecordLifeEvent) => invoke<Elder>('record_life_event', { request })

// elders · detail: who changed which fields of an elder's record, oldest first.
export const elderHistory = (request: ElderId) => invoke<HistoryEntry[]>('elder_history', { request })
