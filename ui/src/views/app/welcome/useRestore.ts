import { computed, ref, watch } from 'vue'
import type { BackupProgress } from '@/bindings/BackupProgress'
import type { BackupRow } from '@/bindings/BackupRow'
import type { SessionStatus } from '@/bindings/SessionStatus'
import { findBackups, onBackupProgress, restoreBackup } from '@/api/backup'
import { toAppError, type AppError } from '@/api/error'

/**
 * Restoring a backup on the welcome page: find backups (this PC's, a folder's, USB sticks'),
 * choose one and one of its accounts, type that account's password, restore with progress.
 */
export function useRestore() {
  const folder = ref('')
  const found = ref<BackupRow[] | null>(null)
  /** The chosen backup's path. */
  const chosen = ref<string | null>(null)
  const userId = ref('')
  const password = ref('')
  const searching = ref(false)
  const restoring = ref(false)
  const progress = ref<BackupProgress | null>(null)
  const error = ref<AppError | null>(null)

  const backup = computed(() => found.value?.find((row) => row.path === chosen.value) ?? null)
  // A backup with one account needs no choice.
  watch(backup, (row) => (userId.value = row?.accounts.length === 1 ? (row.accounts[0]?.user_id ?? '') : ''))
  const ready = computed(() => !!backup.value && !!userId.value && password.value.length > 0 && !restoring.value)

  async function find() {
    searching.value = true
    error.value = null
    try {
      found.value = await findBackups(folder.value.trim() || null)
      chosen.value = found.value[0]?.path ?? null
    } catch (rejection) {
      error.value = toAppError(rejection)
    } finally {
      searching.value = false
    }
  }

  /** Restores the chosen backup; resolves with the new session, or null with `error` set. */
  async function restore(): Promise<SessionStatus | null> {
    if (!backup.value) return null
    restoring.value = true
    progress.value = null
    error.value = null
    const unlisten = await onBackupProgress((next) => (progress.value = next))
    try {
      return await restoreBackup({ path: backup.value.path, user_id: userId.value, password: password.value })
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      unlisten()
      password.value = ''
      restoring.value = false
    }
  }

  return { folder, found, chosen, backup, userId, password, searching, restoring, progress, error, ready, find, restore }
}
