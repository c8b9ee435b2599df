import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppStatus } from '@/bindings/AppStatus'
import { appStatus } from '@/api/app'
import { toAppError, type AppError } from '@/api/error'
import { markStartup } from '@/utils/startup'

/** What this computer holds: read once at start, replaced when a county is opened. */
export const useAppStore = defineStore('app', () => {
  const status = ref<AppStatus | null>(null)
  const error = ref<AppError | null>(null)

  async function load() {
    error.value = null
    try {
      status.value = await appStatus()
      markStartup('status')
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
  }

  function setStatus(next: AppStatus) {
    status.value = next
  }

  return { status, error, load, setStatus }
})
