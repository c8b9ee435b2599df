import { watch } from 'vue'
import type { DueList } from '@/bindings/DueList'
import { dueList } from '@/api/visits'
import { usePlaceScopedList } from '../usePlaceScopedList'

/** The due list of one place, shown as the backend sorted it (high-risk, overdue, this week, this month). */
export function useDueList() {
  const { places, placeCode, data: list, loading, error, load, open } = usePlaceScopedList<DueList | null>(
    (place_code) => dueList({ place_code, caseworker_id: null, include_later: false }),
    null,
  )

  // Synchronous, so that a remembered place is asked for at once, before the page first renders.
  watch(placeCode, () => void load(), { flush: 'sync' })

  return { places, placeCode, list, loading, error, open }
}
