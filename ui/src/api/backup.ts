import { invoke } from '@tauri-apps/api/core'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import type { BackupList } from '@/bindings/BackupList'
import type { BackupProgress } from '@/bindings/BackupProgress'
import type { BackupRow } from '@/bindings/BackupRow'
import type { RestoreBackup } from '@/bindings/RestoreBackup'
import type { SessionStatus } from '@/bindings/SessionStatus'
import type { TakenOver } from '@/bindings/TakenOver'

// backup · list: this PC's backups, newest first, and where they are kept.
export const backups = () => invoke<BackupList>('backups')

// backup · now: backs this PC up now (立即备份); with `copyTo`, also copies the file into that folder (a USB stick).
export const backupNow = (copyTo: string | null) => invoke<BackupRow>('backup_now', { copyTo })

// backup · daily copy: sets the folder (a USB stick) each day's backup is also copied to; null stops the copies.
export const setBackupCopyTo = (folder: string | null) => invoke<BackupList>('set_backup_copy_to', { folder })

// backup · find: backups on this PC, in `folder`, and on mounted USB sticks (the welcome page).
export const findBackups = (folder: string | null) => invoke<BackupRow[]>('find_backups', { folder })

// backup · restore: restores a backup with one of its people's passwords and signs them in.
export const restoreBackup = (request: RestoreBackup) => invoke<SessionStatus>('restore_backup', { request })

// backup · take over: merges the unsent edits of a lost PC this one replaced, from its backup (接替旧电脑).
export const takeOverBackup = (request: RestoreBackup) => invoke<TakenOver>('take_over_backup', { request })

// backup · progress: how far a backup or a restore has come, as it goes.
export const onBackupProgress = (handler: (progress: BackupProgress) => void): Promise<UnlistenFn> =>
  listen<BackupProgress>('backup-progress', (event) => handler(event.payload))
