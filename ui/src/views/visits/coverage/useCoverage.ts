import { ref, watch } from 'vue'
import type { Coverage } from '@/bindings/Coverage'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { placeTree } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { coverage as loadCoverage } from '@/api/visits'
import { workingMonth } from '@/utils/time'
import { clock } from '@/utils/clock'

/** A rate in per mille as a percentage with one decimal: 666 is "66.6%". */
export const percent = (perMille: number) => `${(perMille / 10).toFixed(1)}%`

/** 月探访率 of one place for one month: the first township and this month to start with. */
export function useCoverage(now: () => Date = clock.now) {
  const places = ref<PlaceNode[]>([])
  const placeCode = ref<string | null>(null)
  const month = ref(workingMonth(now()).month)
  const result = ref<Coverage | null>(null)
  const loading = ref(false)
  const error = ref<AppError | null>(null)

  let latestLoad = 0

  async function load() {
    const code = placeCode.value
    if (!code || !month.value) return
    const thisLoad = ++latestLoad
    loading.value = true
    error.value = null
    try {
      const answer = await loadCoverage({ place_code: code, month: month.value })
      if (thisLoad === latestLoad) result.value = answer
    } catch (rejection) {
      if (thisLoad === latestLoad) error.value = toAppError(rejection)
    } finally {
      if (thisLoad === latestLoad) loading.value = false
    }
  }

  /** Loads the place tree, then the first township's coverage through the watcher. */
  async function start() {
    try {
      places.value = await placeTree()
      placeCode.value = places.value[0]?.code ?? null
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
  }

  watch([placeCode, month], () => void load())

  return { places, placeCode, month, result, loading, error, start }
}
