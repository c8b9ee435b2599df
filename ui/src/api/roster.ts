import { invoke } from '@tauri-apps/api/core'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import type { ExportRegistry } from '@/bindings/ExportRegistry'
import type { RosterCheck } from '@/bindings/RosterCheck'
import type { RosterImported } from '@/bindings/RosterImported'
import type { RosterProgress } from '@/bindings/RosterProgress'
import type { SavedFile } from '@/bindings/SavedFile'

// A locked roster's password travels in a header beside the file's bytes.
const withPassword = (password: string) =>
  password ? { headers: { 'x-workbook-password': encodeURIComponent(password) } } : undefined

// elders · import: checks every row of an .xlsx roster (opened with `password` if it is locked); writes nothing.
export const checkRoster = (bytes: Uint8Array, password = '') =>
  invoke<RosterCheck>('check_roster', bytes, withPassword(password))

// elders · import: imports the valid rows of a checked roster.
export const importRoster = (bytes: Uint8Array, password = '') =>
  invoke<RosterImported>('import_roster', bytes, withPassword(password))

// elders · import: stops the check or import running (an import stopped writes nothing).
export const cancelRoster = () => invoke<void>('cancel_roster')

// elders · import: how far the check or import running has read, as it goes.
export const onRosterProgress = (handler: (progress: RosterProgress) => void): Promise<UnlistenFn> =>
  listen<RosterProgress>('roster-progress', (event) => handler(event.payload))

// elders · registry: saves the empty roster template to the export folder.
export const rosterTemplate = () => invoke<SavedFile>('roster_template')

// elders · registry: saves the registry of a place as an .xlsx roster.
export const exportRegistry = (request: ExportRegistry) => invoke<SavedFile>('export_registry', { request })
