import { computed, ref, watch } from 'vue'
import type { CountyAnomalies } from '@/bindings/CountyAnomalies'
import type { CountyAnomalyKind } from '@/bindings/CountyAnomalyKind'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { placeTree } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { countyAnomalies } from '@/api/review'
import { workingMonth } from '@/utils/time'
import { clock } from '@/utils/clock'

/**
 * The county's checks over one month, in one township or (`placeCode` null) everywhere this
 * computer holds; `kind` null shows every finding, a kind only its own. A newer request wins
 * over an older one still answering.
 */
export function useAnomalies(now: () => Date = clock.now) {
  const places = ref<PlaceNode[]>([])
  const placeCode = ref<string | null>(null)
  const month = ref(workingMonth(now()).month)
  const kind = ref<CountyAnomalyKind | null>(null)
  const result = ref<CountyAnomalies | null>(null)
  const loading = ref(false)
  const error = ref<AppError | null>(null)
  let latest = 0

  const rows = computed(() => (result.value?.rows ?? []).filter((row) => kind.value === null || row.kind === kind.value))
  const total = computed(() => result.value?.rows.length ?? 0)

  async function load() {
    const thisLoad = ++latest
    loading.value = true
    error.value = null
    try {
      const answer = await countyAnomalies({ place_code: placeCode.value, month: month.value })
      if (thisLoad === latest) result.value = answer
    } catch (rejection) {
      if (thisLoad === latest) error.value = toAppError(rejection)
    } finally {
      if (thisLoad === latest) loading.value = false
    }
  }

  /** Loads the place tree and checks the month in `countyCode` (shown as the whole county). */
  async function start(countyCode: string | null = null) {
    try {
      places.value = await placeTree()
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
    if (countyCode !== placeCode.value) placeCode.value = countyCode
    else await load()
  }

  watch([placeCode, month], () => void load())

  return { places, placeCode, month, kind, result, rows, total, loading, error, start, load }
}
