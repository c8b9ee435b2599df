import { invoke } from '@tauri-apps/api/core'
import type { EnrollDevice } from '@/bindings/EnrollDevice'
import type { FleetHealth } from '@/bindings/FleetHealth'
import type { SavedFile } from '@/bindings/SavedFile'
import type { SyncStatus } from '@/bindings/SyncStatus'

// sync · status: this computer's link to the county server, as the header and the sync page show it.
export const syncStatus = () => invoke<SyncStatus>('sync_status')

// sync · now: runs one sync round with the county server; resolves when it ended, with the new status.
export const syncNow = () => invoke<SyncStatus>('sync_now')

// sync · enroll: enrolls this computer with a one-time code from the county, then syncs the first time.
export const enrollDevice = (request: EnrollDevice) => invoke<SyncStatus>('enroll_device', { request })

// sync · by file: writes what the county server does not have yet to the export folder, for a USB stick.
export const exportSyncBundle = () => invoke<SavedFile>('export_sync_bundle')

// sync · by file: takes in the county's answer file (.xlsync) from the stick, with the new status.
export const importSyncAnswer = (bytes: Uint8Array) => invoke<SyncStatus>('import_sync_answer', bytes)

// sync · devices: the county's enrolled PCs and how each is doing (设备状况), asked of the county server now (reviewers, online).
export const fleetHealth = () => invoke<FleetHealth>('fleet_health')
