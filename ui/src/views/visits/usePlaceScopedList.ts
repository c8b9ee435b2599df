import { ref, watch, type Ref } from 'vue'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { placeTree } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { recall, remember } from '@/utils/remembered'

/** The visit lists share one remembered place: a caseworker works in the same villages on each. */
const rememberedPlace = 'visits.place'

const holds = (nodes: PlaceNode[], code: string): boolean =>
  nodes.some((node) => node.code === code || holds(node.children, code))

/**
 * What the visit area's lists share: the place tree to pick from, the chosen place, and loading
 * one answer at a time, where a slow answer for an earlier choice is dropped. The place is the
 * one chosen last time on this computer, else the first township. `fetch` asks for the list of
 * the current place; `empty` is shown when a load fails.
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

  /**
   * Shows the list: the first time the place tree and the list, later the list again. A place
   * remembered from last time is loaded at once, beside the tree, so a restart waits for one
   * answer rather than two in a row; a remembered place no longer in the tree gives way to the
   * first township.
   */
  async function open() {
    if (places.value.length > 0) return load()
    const remembered = recall(rememberedPlace)
    // Choosing a place loads through the caller's watcher.
    const loadingAlready = remembered !== null && remembered !== placeCode.value
    if (loadingAlready) placeCode.value = remembered
    try {
      places.value = await placeTree()
    } catch (rejection) {
      error.value = toAppError(rejection)
      return
    }
    if (placeCode.value !== null && holds(places.value, placeCode.value)) {
      if (!loadingAlready) await load()
      return
    }
    // An empty county loads the whole county.
    const first = places.value[0]?.code ?? null
    if (first !== placeCode.value) placeCode.value = first
    else await load()
  }

  watch(placeCode, (code) => {
    if (code !== null) remember(rememberedPlace, code)
  })

  return { places, placeCode, data, loading, error, load, open }
}
