import { reactive, ref, watch } from 'vue'
import type { ElderRow } from '@/bindings/ElderRow'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { placeTree, searchElders } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { plain } from '@/utils/text'

/**
 * The elder registry: the place tree, the filter, the current page of rows.
 *
 * Typing waits `debounceMs` before searching; any change of filter goes back to page 1.
 */
export function useElderList(debounceMs = 250) {
  const places = ref<PlaceNode[]>([])
  const filter = reactive({ query: '', placeCode: null as string | null, includeInactive: false })
  const page = ref(1)
  const pageSize = ref(20)
  const rows = ref<ElderRow[]>([])
  const total = ref(0)
  const loading = ref(false)
  const error = ref<AppError | null>(null)

  // Answers to searches typed over may arrive late; only the newest one is shown.
  let latestSearch = 0
  let pendingQuery: ReturnType<typeof setTimeout> | undefined

  async function load() {
    const thisSearch = ++latestSearch
    loading.value = true
    error.value = null
    try {
      const result = await searchElders({
        place_code: filter.placeCode,
        query: plain(filter.query),
        include_inactive: filter.includeInactive,
        page: page.value,
        page_size: pageSize.value,
      })
      if (thisSearch !== latestSearch) return
      rows.value = result.items
      total.value = result.total
    } catch (rejection) {
      if (thisSearch === latestSearch) error.value = toAppError(rejection)
    } finally {
      if (thisSearch === latestSearch) loading.value = false
    }
  }

  /** Searches now from page 1, e.g. on Enter, dropping a search still waiting for typing to stop. */
  function search() {
    clearTimeout(pendingQuery)
    // Moving to page 1 loads through the page watcher; already there, load directly.
    if (page.value !== 1) page.value = 1
    else void load()
  }

  async function loadPlaces() {
    try {
      places.value = await placeTree()
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
  }

  /** The first load of the page: the place tree and the first page of the whole county. */
  function start() {
    void loadPlaces()
    void load()
  }

  watch(
    () => filter.query,
    () => {
      clearTimeout(pendingQuery)
      pendingQuery = setTimeout(search, debounceMs)
    },
  )
  watch(() => [filter.placeCode, filter.includeInactive], search)
  watch([page, pageSize], () => void load())

  return { places, filter, page, pageSize, rows, total, loading, error, search, start }
}
