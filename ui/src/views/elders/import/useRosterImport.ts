import { computed, ref } from 'vue'
import type { RosterCheck } from '@/bindings/RosterCheck'
import type { RosterImported } from '@/bindings/RosterImported'
import { toAppError, type AppError } from '@/api/error'
import type { RosterProgress } from '@/bindings/RosterProgress'
import { cancelRoster, checkRoster, importRoster, onRosterProgress } from '@/api/roster'

/** What the page needs of a picked file; a browser `File` is one. */
export interface PickedFile {
  name: string
  arrayBuffer(): Promise<ArrayBuffer>
}

/**
 * Importing a roster: the picked file is checked row by row first, and only the person's
 * confirmation writes its valid rows. A locked file (an exported roster) is opened with the
 * password the person types. Both show how far they are and can be cancelled; a
 * cancelled import has written nothing.
 */
export function useRosterImport() {
  const fileName = ref('')
  const check = ref<RosterCheck | null>(null)
  const checking = ref(false)
  const importing = ref(false)
  const error = ref<AppError | null>(null)
  /** How far the running job has read, while one runs. */
  const progress = ref<RosterProgress | null>(null)
  /** The last job was cancelled by the person (not an error). */
  const cancelled = ref(false)
  /** The picked file is locked (an exported roster): its password is asked for. */
  const needsPassword = ref(false)
  let bytes = new Uint8Array()
  let password = ''

  /** Runs a job with its progress followed; a cancellation is not an error. */
  async function followed<T>(job: () => Promise<T>): Promise<T | null> {
    progress.value = null
    cancelled.value = false
    const stop = await onRosterProgress((reported) => (progress.value = reported)).catch(() => null)
    try {
      return await job()
    } catch (rejection) {
      const failure = toAppError(rejection)
      if (failure.code === 'cancelled') cancelled.value = true
      else error.value = failure
      return null
    } finally {
      stop?.()
      progress.value = null
    }
  }

  /** Asks the running check or import to stop. */
  async function cancel() {
    await cancelRoster()
  }

  /** The running job's progress in percent, or null before its first report. */
  const percent = computed(() =>
    progress.value && progress.value.total > 0 ? Math.floor((progress.value.done * 100) / progress.value.total) : null,
  )

  /** Whether confirming would write anything: a checked file with a new or changed row. */
  const canImport = computed(() => (check.value ? check.value.new_count + check.value.update_count > 0 : false))

  async function choose(file: PickedFile) {
    fileName.value = file.name
    check.value = null
    error.value = null
    needsPassword.value = false
    password = ''
    checking.value = true
    try {
      bytes = new Uint8Array(await file.arrayBuffer())
      await checkPicked()
    } catch (rejection) {
      bytes = new Uint8Array()
      error.value = toAppError(rejection)
    } finally {
      checking.value = false
    }
  }

  /** Checks the picked file; a locked one waits for its password instead of failing. */
  async function checkPicked() {
    check.value = await followed(() => checkRoster(bytes, password))
    if (check.value) {
      needsPassword.value = false
    } else if (error.value?.code === 'password_required') {
      error.value = null
      needsPassword.value = true
    } else if (error.value?.code !== 'wrong_file_password') {
      bytes = new Uint8Array()
      needsPassword.value = false
    }
  }

  /** Opens the picked locked file with `typed` and checks it. */
  async function unlock(typed: string) {
    password = typed
    error.value = null
    checking.value = true
    try {
      await checkPicked()
    } finally {
      checking.value = false
    }
  }

  /** Imports the checked file's valid rows; resolves to what was written, or null on failure. */
  async function confirm(): Promise<RosterImported | null> {
    if (!canImport.value) return null
    importing.value = true
    error.value = null
    try {
      return await followed(() => importRoster(bytes, password))
    } finally {
      importing.value = false
    }
  }

  return {
    fileName,
    check,
    checking,
    importing,
    error,
    progress,
    percent,
    cancelled,
    canImport,
    needsPassword,
    choose,
    unlock,
    confirm,
    cancel,
  }
}
