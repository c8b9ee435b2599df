import { ref, type Ref } from 'vue'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { placeTree } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'

/**
 * What the visit area's lists share: the place tree to pick from, the chosen place (the first
 * township by default), and loading one answer at a time, where a slow answer for an earlier
 * choice is dropped. `fetch` asks for the list of the current place; `empty` is shown when a
 * load fails.
 */
export function usePlaceScopedList<T>(fetch: (placeCode: string | null) => Promise<T>, empty: T) {
  const places = ref<PlaceNode[]>([])
  const placeCode = ref<string | null>(null)
  const data = ref(empty) as Ref<T>
  const loading = ref(false)
  const error = ref<AppError | null>(null)

  let latestLoad = 0

  async function load() {
    const thisLoad = ++latestLoad
    loading.value = true
    error.value = null
    try {
      const result = await fetch(placeCode.value)
      if (thisLoad === latestLoad) data.value = result
    } catch (rejection) {
      if (thisLoad === latestLoad) {
        data.value = empty
        error.value = toAppError(rejection)
      }
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
    // Choosing the first township loads through the caller's watcher; an empty county loads the whole county.
    const first = places.value[0]?.code ?? null
    if (first !== placeCode.value) placeCode.value = first
    else await load()
  }

  return { places, placeCode, data, loading, error, load, open }
}
