import { computed, ref } from 'vue'
import type { UpdateStatus } from '@/bindings/UpdateStatus'
import { installUpdate, updateStatus } from '@/api/update'
import { toAppError, type AppError } from '@/api/error'

/** Seconds between looks while a download runs, and otherwise (a new offer arrives with a sync). */
export const LOOK_WHILE_DOWNLOADING = 3
export const LOOK_EVERY = 60

/** A download's progress as a whole percent. */
export function downloadPercent(status: UpdateStatus | null): number {
  if (!status || status.total_mb <= 0) return 0
  return Math.round(Math.min(1, Math.max(0, status.downloaded_mb / status.total_mb)) * 100)
}

/**
 * The header's update notice: what the county offers, its download, and 安装更新. Nothing here
 * installs by itself or takes the screen: a form being filled is never interrupted.
 */
export function useUpdate() {
  const status = ref<UpdateStatus | null>(null)
  const installing = ref(false)
  const error = ref<AppError | null>(null)
  let timer: ReturnType<typeof setTimeout> | null = null

  /** Whether the notice shows at all. */
  const offered = computed(() => !!status.value?.version && status.value.state !== 'none')

  async function refresh() {
    try {
      status.value = await updateStatus()
    } catch (rejection) {
      // Signed out or locked: the notice waits for the next look.
      error.value = toAppError(rejection)
    }
  }

  function schedule() {
    const seconds = status.value?.state === 'downloading' ? LOOK_WHILE_DOWNLOADING : LOOK_EVERY
    timer = setTimeout(async () => {
      await refresh()
      schedule()
    }, seconds * 1000)
  }

  /** Looks now, then on (again from now when called again: after a sync, say). */
  async function start() {
    stop()
    await refresh()
    schedule()
  }

  function stop() {
    if (timer) clearTimeout(timer)
    timer = null
  }

  /** 安装更新; resolves with whether it installed (`error` says why not, in Chinese). */
  async function install(): Promise<boolean> {
    installing.value = true
    error.value = null
    try {
      status.value = await installUpdate()
      return true
    } catch (rejection) {
      error.value = toAppError(rejection)
      await refresh()
      return false
    } finally {
      installing.value = false
    }
  }

  return { status, offered, installing, error, refresh, start, stop, install }
}
