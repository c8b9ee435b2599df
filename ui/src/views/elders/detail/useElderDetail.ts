import { ref, watch } from 'vue'
import type { ElderDetail } from '@/bindings/ElderDetail'
import { getElder } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'

/** One elder's page: loads again whenever the id changes. */
export function useElderDetail(elderId: () => string) {
  const detail = ref<ElderDetail | null>(null)
  const loading = ref(false)
  const error = ref<AppError | null>(null)

  async function load(id: string) {
    loading.value = true
    error.value = null
    try {
      detail.value = await getElder({ id })
    } catch (rejection) {
      detail.value = null
      error.value = toAppError(rejection)
    } finally {
      loading.value = false
    }
  }

  watch(elderId, (id) => void load(id), { immediate: true })

  return { detail, loading, error, reload: () => load(elderId()) }
}
