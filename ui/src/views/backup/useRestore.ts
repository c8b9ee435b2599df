import { computed, ref, watch } from 'vue'
import type { BackupProgress } from '@/bindings/BackupProgress'
import type { BackupRow } from '@/bindings/BackupRow'
import type { RestoreBackup } from '@/bindings/RestoreBackup'
import type { SessionStatus } from '@/bindings/SessionStatus'
import type { TakenOver } from '@/bindings/TakenOver'
import { findBackups, onBackupProgress, restoreBackup, takeOverBackup } from '@/api/backup'
import { toAppError, type AppError } from '@/api/error'

/**
 * Opening a backup with one of its people's passwords: find backups (this PC's, a folder's,
 * USB sticks'), choose one and one of its accounts, type that account's password (or, for an
 * account the county put a restore code in the backup for, that code and a new password), then restore
 * it (the welcome page) or, with `only` (the lost PCs this one replaced), take over its unsent
 * edits (接替旧电脑, the backup page); either with progress.
 */
export function useRestore(only: string[] | null = null) {
  const folder = ref('')
  const found = ref<BackupRow[] | null>(null)
  /** The chosen backup's path. */
  const chosen = ref<string | null>(null)
  const userId = ref('')
  const password = ref('')
  /** The person's password from now on, when the backup opens with the county's restore code. */
  const newPassword = ref('')
  const searching = ref(false)
  const restoring = ref(false)
  const progress = ref<BackupProgress | null>(null)
  const error = ref<AppError | null>(null)

  const backup = computed(() => found.value?.find((row) => row.path === chosen.value) ?? null)
  // A backup with one account needs no choice.
  watch(backup, (row) => (userId.value = row?.accounts.length === 1 ? (row.accounts[0]?.user_id ?? '') : ''))
  const account = computed(() => backup.value?.accounts.find((row) => row.user_id === userId.value) ?? null)
  /** The chosen account opens the backup with the county's code (a restore also sets a new password). */
  const byCode = computed(() => account.value?.by_code ?? false)
  const ready = computed(
    () =>
      !!account.value &&
      password.value.length > 0 &&
      (!byCode.value || only !== null || newPassword.value.length > 0) &&
      !restoring.value,
  )

  async function find() {
    searching.value = true
    error.value = null
    try {
      const rows = await findBackups(folder.value.trim() || null)
      found.value = only ? rows.filter((row) => only.includes(row.device_id)) : rows
      chosen.value = found.value[0]?.path ?? null
    } catch (rejection) {
      error.value = toAppError(rejection)
    } finally {
      searching.value = false
    }
  }

  /** Runs `job` on the chosen backup with progress; resolves with its result, or null with `error` set. */
  async function open<T>(job: (request: RestoreBackup) => Promise<T>): Promise<T | null> {
    if (!backup.value) return null
    restoring.value = true
    progress.value = null
    error.value = null
    const unlisten = await onBackupProgress((next) => (progress.value = next))
    try {
      return await job({
        path: backup.value.path,
        user_id: userId.value,
        password: password.value,
        by_code: byCode.value,
        new_password: byCode.value && only === null ? newPassword.value : null,
      })
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      unlisten()
      password.value = ''
      newPassword.value = ''
      restoring.value = false
    }
  }

  /** Restores the chosen backup; resolves with the new session, or null with `error` set. */
  const restore = (): Promise<SessionStatus | null> => open(restoreBackup)
  /** Takes over the chosen backup's unsent edits; resolves with what came, or null with `error` set. */
  const takeOver = (): Promise<TakenOver | null> => open(takeOverBackup)

  return {
    folder,
    found,
    chosen,
    backup,
    userId,
    password,
    newPassword,
    byCode,
    searching,
    restoring,
    progress,
    error,
    ready,
    find,
    restore,
    takeOver,
  }
}
