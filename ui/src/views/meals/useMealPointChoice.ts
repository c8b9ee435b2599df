import { computed, ref, watch } from 'vue'
import type { MealPointRow } from '@/bindings/MealPointRow'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { placeTree } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { mealPoints } from '@/api/meals'
import { recall, remember } from '@/utils/remembered'

/** The meal pages share one remembered township and point: a station works at the same ones every day. */
const rememberedTownship = 'meals.township'
const rememberedPoint = 'meals.point'

/**
 * Which township and meal point the meal pages show: the townships this computer holds (a
 * station director's data holds one), that township's points, and the chosen point. Both choices
 * are remembered on this computer; without one, the first township and its first point are taken.
 */
export function useMealPointChoice() {
  const townships = ref<PlaceNode[]>([])
  const townshipCode = ref<string | null>(null)
  const points = ref<MealPointRow[]>([])
  const pointId = ref<string | null>(null)
  const error = ref<AppError | null>(null)

  const township = computed(() => townships.value.find((place) => place.code === townshipCode.value) ?? null)
  const point = computed(() => points.value.find((row) => row.point.id === pointId.value)?.point ?? null)

  // Answers for a township chosen before the last one are dropped.
  let latestLoad = 0
  let pointsLoaded: Promise<void> = Promise.resolve()

  /** The points of the chosen township; keeps the chosen point if it is still there. */
  async function loadPoints() {
    const thisLoad = ++latestLoad
    const code = townshipCode.value
    if (code === null) {
      points.value = []
      pointId.value = null
      return
    }
    try {
      const found = await mealPoints({ township_code: code })
      if (thisLoad !== latestLoad) return
      points.value = found
      const wanted = pointId.value ?? recall(rememberedPoint)
      const kept = found.find((row) => row.point.id === wanted)
      pointId.value = kept?.point.id ?? found[0]?.point.id ?? null
    } catch (rejection) {
      if (thisLoad === latestLoad) error.value = toAppError(rejection)
    }
  }

  /** Loads the townships the first time, then the points of the chosen township (again on later calls). */
  async function open() {
    error.value = null
    if (townships.value.length === 0) {
      try {
        const tree = await placeTree()
        townships.value = tree.filter((place) => place.level === 'township')
      } catch (rejection) {
        error.value = toAppError(rejection)
        return
      }
      const remembered = recall(rememberedTownship)
      const chosen = townships.value.find((place) => place.code === remembered) ?? townships.value[0]
      if (chosen && chosen.code !== townshipCode.value) {
        // The watcher loads its points.
        townshipCode.value = chosen.code
        return pointsLoaded
      }
    }
    pointsLoaded = loadPoints()
    return pointsLoaded
  }

  // Synchronous, so that `open` can wait for the load the choice started.
  watch(
    townshipCode,
    (code, previous) => {
      if (code !== null) remember(rememberedTownship, code)
      // Another township's points are others: the chosen one goes.
      if (previous !== null && previous !== undefined) pointId.value = null
      pointsLoaded = loadPoints()
    },
    { flush: 'sync' },
  )
  watch(pointId, (id) => {
    if (id !== null) remember(rememberedPoint, id)
  })

  return { townships, townshipCode, township, points, pointId, point, error, open, loadPoints }
}
