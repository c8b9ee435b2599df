import { invoke } from '@tauri-apps/api/core'
import type { ExportRegistry } from '@/bindings/ExportRegistry'
import type { RosterCheck } from '@/bindings/RosterCheck'
import type { RosterImported } from '@/bindings/RosterImported'
import type { SavedFile } from '@/bindings/SavedFile'

// elders · import: checks every row of an .xlsx roster; writes nothing.
export const checkRoster = (bytes: Uint8Array) => invoke<RosterCheck>('check_roster', bytes)

// elders · import: imports the valid rows of a checked roster.
export const importRoster = (bytes: Uint8Array) => invoke<RosterImported>('import_roster', bytes)

// elders · registry: saves the empty roster template to the export folder.
export const rosterTemplate = () => invoke<SavedFile>('roster_template')

// elders · registry: saves the registry of a place as an .xlsx roster.
export const exportRegistry = (request: ExportRegistry) => invoke<SavedFile>('export_registry', { request })
