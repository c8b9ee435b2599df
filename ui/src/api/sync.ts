import { invoke } from '@tauri-apps/api/core'
import type { EnrollDevice } from '@/bindings/EnrollDevice'
import type { SyncStatus } from '@/bindings/SyncStatus'

// sync · status: this computer's link to the county server, as the header and the sync page show it.
export const syncStatus = () => invoke<SyncStatus>('sync_status')

// sync · now: runs one sync round with the county server; resolves when it ended, with the new status.
export const syncNow = () => invoke<SyncStatus>('sync_now')

// sync · enroll: enrolls this computer with a one-time code from the county, then syncs the first time.
export const enrollDevice = (request: EnrollDevice) => invoke<SyncStatus>('enroll_device', { request })
