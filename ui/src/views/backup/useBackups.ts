import { computed, ref } from 'vue'
import type { BackupList } from '@/bindings/BackupList'
import type { BackupProgress } from '@/bindings/BackupProgress'
import type { BackupRow } from '@/bindings/BackupRow'
import { backupNow, backups, onBackupProgress, setBackupCopyTo } from '@/api/backup'
import { toAppError, type AppError } from '@/api/error'

/** A long job's progress as a whole percent for the bar (0 before the first report). */
export function percent(progress: BackupProgress | null): number {
  return progress ? Math.round(Math.min(1, Math.max(0, progress.fraction)) * 100) : 0
}

/** This PC's backups (备份与恢复): the list, and 立即备份 with its progress. */
export function useBackups() {
  const list = ref<BackupList | null>(null)
  const loading = ref(false)
  const running = ref(false)
  const progress = ref<BackupProgress | null>(null)
  const error = ref<AppError | null>(null)
  /** A folder (a USB stick) the new backup is also copied to; empty for none. */
  const copyTo = ref('')

  async function load() {
    loading.value = true
    error.value = null
    try {
      list.value = await backups()
      if (list.value.copy_to && !copyTo.value.trim()) copyTo.value = list.value.copy_to
    } catch (rejection) {
      error.value = toAppError(rejection)
    } finally {
      loading.value = false
    }
  }

  /** Backs up now; resolves with the new backup (where it went), or null with `error` set. */
  async function makeNow(): Promise<BackupRow | null> {
    running.value = true
    progress.value = null
    error.value = null
    const unlisten = await onBackupProgress((next) => (progress.value = next))
    try {
      const made = await backupNow(copyTo.value.trim() || null)
      await load()
      return made
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      unlisten()
      running.value = false
    }
  }

  /** Whether each day's backup also goes to the folder in `copyTo`. */
  const daily = computed(() => !!list.value?.copy_to)

  /** Starts (with the folder in `copyTo`) or stops the daily copies; resolves with whether it took. */
  async function setDaily(on: boolean): Promise<boolean> {
    error.value = null
    try {
      list.value = await setBackupCopyTo(on ? copyTo.value.trim() || null : null)
      return true
    } catch (rejection) {
      error.value = toAppError(rejection)
      return false
    }
  }

  return { list, loading, running, progress, error, copyTo, daily, load, makeNow, setDaily }
}
