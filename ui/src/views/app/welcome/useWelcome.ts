import { ref } from 'vue'
import { openDemoCounty } from '@/api/app'
import { toAppError, type AppError } from '@/api/error'
import { useAppStore } from '@/stores/app'

/** Opening the demo county: takes seconds, so the page shows it is busy. */
export function useWelcome() {
  const app = useAppStore()
  const opening = ref(false)
  const error = ref<AppError | null>(null)

  /** Resolves true once the demo county is stored and the app status updated. */
  async function openDemo(): Promise<boolean> {
    opening.value = true
    error.value = null
    try {
      await openDemoCounty()
      // The demo signs its station director in: the session and the status both change.
      await app.load()
      return true
    } catch (rejection) {
      error.value = toAppError(rejection)
      return false
    } finally {
      opening.value = false
    }
  }

  return { opening, error, openDemo }
}
