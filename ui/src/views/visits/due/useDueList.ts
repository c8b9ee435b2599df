import { ref, watch } from 'vue'
import type { CaseworkerOption } from '@/bindings/CaseworkerOption'
import type { DueList } from '@/bindings/DueList'
import { caseworkers as fetchCaseworkers, dueList } from '@/api/visits'
import { toAppError } from '@/api/error'
import { usePlaceScopedList } from '../usePlaceScopedList'

/**
 * The due list of one place, or of one caseworker's villages within it, shown as the backend
 * sorted it (high-risk, overdue, this week, this month).
 */
export function useDueList() {
  const caseworkerId = ref<string | null>(null)
  const { places, placeCode, data: list, loading, error, load, open } = usePlaceScopedList<DueList | null>(
    (place_code) => dueList({ place_code, caseworker_id: caseworkerId.value, include_later: false }),
    null,
  )

  /** The caseworkers of the chosen place: asked for when the picker first opens, not at start. */
  const caseworkers = ref<CaseworkerOption[]>([])
  let caseworkersOf: string | null | undefined
  async function loadCaseworkers() {
    if (caseworkersOf === placeCode.value) return
    const place = placeCode.value
    try {
      const found = await fetchCaseworkers({ place_code: place })
      if (place === placeCode.value) {
        caseworkers.value = found
        caseworkersOf = place
      }
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
  }

  // Synchronous, so that a remembered place is asked for at once, before the page first renders.
  // Another place drops the caseworker, who may not work there.
  watch(
    placeCode,
    () => {
      if (caseworkerId.value !== null) caseworkerId.value = null
      else void load()
    },
    { flush: 'sync' },
  )
  watch(caseworkerId, () => void load(), { flush: 'sync' })

  return { places, placeCode, caseworkerId, caseworkers, loadCaseworkers, list, loading, error, open }
}
