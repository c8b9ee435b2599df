import { ref } from 'vue'
import type { EnrollDevice } from '@/bindings/EnrollDevice'
import type { SyncStatus } from '@/bindings/SyncStatus'
import { enrollDevice, exportSyncBundle, importSyncAnswer, syncNow as runSync, syncStatus } from '@/api/sync'
import { toAppError, type AppError } from '@/api/error'
import { i18n } from '@/locales'

/** The county server a new computer is offered first. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8440'

/** What the header tag says about the link to the county server, most pressing first. */
export type SyncBadge =
  | { kind: 'not_enrolled' }
  | { kind: 'syncing' }
  | { kind: 'error'; message: string }
  | { kind: 'waiting'; shards: number }
  | { kind: 'never' }
  | { kind: 'synced'; time: string }

export function syncBadge(status: SyncStatus): SyncBadge {
  if (!status.enrolled) return { kind: 'not_enrolled' }
  if (status.syncing) return { kind: 'syncing' }
  if (status.last_error) return { kind: 'error', message: status.last_error }
  if (status.waiting_shards > 0) return { kind: 'waiting', shards: status.waiting_shards }
  if (!status.last_success) return { kind: 'never' }
  // "YYYY-MM-DD HH:MM:SS" as "HH:MM".
  return { kind: 'synced', time: status.last_success.slice(11, 16) }
}

/** What importing needs of a picked answer file; a browser `File` is one. */
export type AnswerFile = Pick<File, 'arrayBuffer'>

/**
 * This computer's link to the county server: its status, a sync on demand, enrolling,
 * and sync by file (a bundle out on a USB stick, the county's answer back in).
 * Polling is the caller's: `startPolling` on mount, `stopPolling` on unmount.
 */
export function useSync() {
  const status = ref<SyncStatus | null>(null)
  const error = ref<AppError | null>(null)
  /** A sync asked for here is running. */
  const busy = ref(false)
  const enrolling = ref(false)
  /** A sync bundle is being written or a county answer taken in. */
  const transferring = ref(false)

  /** Reads the status again; a failure keeps the last one shown. */
  async function load() {
    try {
      status.value = await syncStatus()
      error.value = null
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
  }

  /** Runs one sync round and shows the status it ended with; resolves true when the round could be run. */
  async function syncNow(): Promise<boolean> {
    if (busy.value) return false
    busy.value = true
    error.value = null
    try {
      status.value = await runSync()
      return true
    } catch (rejection) {
      error.value = toAppError(rejection)
      return false
    } finally {
      busy.value = false
    }
  }

  /** Enrolls with the form's code; true once enrolled, with the status of the first sync. An empty field is not sent. */
  async function enroll(form: EnrollDevice, confirm: string): Promise<boolean> {
    const fingerprint = form.fingerprint?.trim() ?? ''
    const request: EnrollDevice = {
      server_url: form.server_url.trim(),
      // Needed for https only; an empty field is sent as none.
      fingerprint: fingerprint === '' ? null : fingerprint,
      code: form.code.trim().toUpperCase(),
      label: form.label.trim(),
      password: form.password,
    }
    if (!request.server_url || !request.code || !request.label) {
      error.value = { code: 'invalid_input', message: i18n.global.t('sync.enroll.incomplete'), problems: [] }
      return false
    }
    if (request.password.length < 8 || request.password !== confirm) {
      const message = request.password.length < 8 ? i18n.global.t('session.passwordMin', { min: 8 }) : i18n.global.t('session.mismatch')
      error.value = { code: 'invalid_input', message, problems: [] }
      return false
    }
    if (enrolling.value) return false
    enrolling.value = true
    error.value = null
    try {
      status.value = await enrollDevice(request)
      return true
    } catch (rejection) {
      error.value = toAppError(rejection)
      return false
    } finally {
      enrolling.value = false
    }
  }

  /** Writes the sync bundle for the USB stick; resolves to where it was saved, or null (then `error` says why). */
  async function exportBundle(): Promise<string | null> {
    if (transferring.value) return null
    transferring.value = true
    error.value = null
    try {
      return (await exportSyncBundle()).path
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      transferring.value = false
    }
  }

  /**
   * Takes in the county's answer file and shows the status it leaves; true once taken in.
   * A refused file (another computer's, altered, truncated) changes nothing and keeps the status shown.
   */
  async function importAnswer(file: AnswerFile): Promise<boolean> {
    if (transferring.value) return false
    transferring.value = true
    error.value = null
    try {
      status.value = await importSyncAnswer(new Uint8Array(await file.arrayBuffer()))
      return true
    } catch (rejection) {
      error.value = toAppError(rejection)
      return false
    } finally {
      transferring.value = false
    }
  }

  let timer: ReturnType<typeof setInterval> | null = null
  /** Loads now and then every `seconds`, until `stopPolling`. */
  function startPolling(seconds: number) {
    stopPolling()
    void load()
    timer = setInterval(() => void load(), seconds * 1000)
  }
  function stopPolling() {
    if (timer !== null) clearInterval(timer)
    timer = null
  }

  return {
    status,
    error,
    busy,
    enrolling,
    transferring,
    load,
    syncNow,
    enroll,
    exportBundle,
    importAnswer,
    startPolling,
    stopPolling,
  }
}
