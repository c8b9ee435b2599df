import { invoke } from '@tauri-apps/api/core'
import type { Elder } from '@/bindings/Elder'
import type { ElderId } from '@/bindings/ElderId'
import type { ExportRegistry } from '@/bindings/ExportRegistry'
import type { HistoryEntry } from '@/bindings/HistoryEntry'
import type { PrintVisitRegister } from '@/bindings/PrintVisitRegister'
import type { RecordLifeEvent } from '@/bindings/RecordLifeEvent'
import type { RosterCheck } from '@/bindings/RosterCheck'
import type { RosterImported } from '@/bindings/RosterImported'
import type { SaveElder } from '@/bindings/SaveElder'
import type { SaveElderOutcome } from '@/bindings/SaveElderOutcome'
import type { SavedFile } from '@/bindings/SavedFile'
import type { SetLifeStatus } from '@/bindings/SetLifeStatus'

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

// elders · import: checks every row of an .xlsx roster; writes nothing.
export const checkRoster = (bytes: Uint8Array) => invoke<RosterCheck>('check_roster', bytes)

// elders · import: imports the valid rows of a checked roster.
export const importRoster = (bytes: Uint8Array) => invoke<RosterImported>('import_roster', bytes)

// elders · registry: saves the empty roster template to the export folder.
export const rosterTemplate = () => invoke<SavedFile>('roster_template')

// elders · registry: saves the registry of a place as an .xlsx roster.
export const exportRegistry = (request: ExportRegistry) => invoke<SavedFile>('export_registry', { request })

// elders · registry: saves a village's monthly visit register (探访记录表) as a PDF.
export const printVisitRegister = (request: PrintVisitRegister) =>
  invoke<SavedFile>('print_visit_register', { request })
