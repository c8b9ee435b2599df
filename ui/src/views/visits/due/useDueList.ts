import { ref, watch } from 'vue'
import type { DueList } from '@/bindings/DueList'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { placeTree } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { dueList } from '@/api/visits'

/** The due list of one place, shown as the backend sorted it (high-risk, overdue, this week, this month). */
export function useDueList() {
  const places = ref<PlaceNode[]>([])
  const placeCode = ref<string | null>(null)
  const list = ref<DueList | null>(null)
  const loading = ref(false)
  const error = ref<AppError | null>(null)

  // A slow answer for a place chosen before the current one is dropped.
  let latestLoad = 0

  async function load() {
    const thisLoad = ++latestLoad
    loading.value = true
    error.value = null
    try {
      const result = await dueList({ place_code: placeCode.value, caseworker_id: null, include_later: false })
      if (thisLoad === latestLoad) list.value = result
    } catch (rejection) {
      if (thisLoad === latestLoad) error.value = toAppError(rejection)
    } finally {
      if (thisLoad === latestLoad) loading.value = false
    }
  }

  /** Shows the list: the first time the place tree and the first township's list, later the list again. */
  async function open() {
    if (places.value.length > 0) return load()
    try {
      places.value = await placeTree()
    } catch (rejection) {
      error.value = toAppError(rejection)
      return
    }
    // Choosing the first township loads through the watcher; an empty county loads the whole county.
    const first = places.value[0]?.code ?? null
    if (first !== placeCode.value) placeCode.value = first
    else await load()
  }

  watch(placeCode, () => void load())

  return { places, placeCode, list, loading, error, open }
}
