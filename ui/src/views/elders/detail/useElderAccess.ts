import { ref, watch } from 'vue'
import type { AccessRow } from '@/bindings/AccessRow'
import { toAppError, type AppError } from '@/api/error'
import { elderAccessLog, revealIdNumber } from '@/api/access'

/** Who viewed the elder's full data, newest first; loads again when the id or `revision` changes. */
export function useElderAccess(elderId: () => string, revision: () => number = () => 0) {
  const rows = ref<AccessRow[]>([])
  const loading = ref(false)
  const error = ref<AppError | null>(null)

  async function load(id: string) {
    loading.value = true
    error.value = null
    try {
      rows.value = await elderAccessLog({ id })
    } catch (rejection) {
      rows.value = []
      error.value = toAppError(rejection)
    } finally {
      loading.value = false
    }
  }

  watch([elderId, revision], ([id]) => void load(id), { immediate: true })

  return { rows, loading, error }
}

/** The full ID number on the elder's page: hidden until asked for with a reason (the view is recorded). */
export function useRevealIdNumber(elderId: () => string) {
  const shown = ref<string | null>(null)
  const revealing = ref(false)
  watch(elderId, () => {
    shown.value = null
  })

  async function reveal(reason: string): Promise<{ ok: true } | { ok: false; error: AppError }> {
    revealing.value = true
    try {
      shown.value = await revealIdNumber({ elder_id: elderId(), reason: reason.trim() })
      return { ok: true }
    } catch (rejection) {
      return { ok: false, error: toAppError(rejection) }
    } finally {
      revealing.value = false
    }
  }

  return { shown, revealing, reveal, hide: () => (shown.value = null) }
}
