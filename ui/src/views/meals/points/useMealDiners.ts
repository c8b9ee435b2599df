import { ref, watch, type Ref } from 'vue'
import type { DinerRow } from '@/bindings/DinerRow'
import type { ElderRow } from '@/bindings/ElderRow'
import type { MealMode } from '@/bindings/MealMode'
import { searchElders } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { enrollDiner, leaveDiner, mealDiners } from '@/api/meals'
import { localDateTime } from '@/utils/time'
import { clock } from '@/utils/clock'

/** How many elders a search offers to enroll. */
const searchPageSize = 20

/**
 * The diners of one meal point (those still eating there, or everyone who ever did), enrolling an
 * elder found in the registry, and ending an enrollment from a date. A refused write keeps the
 * dialog's input and sets `error` to the backend's message.
 */
export function useMealDiners(pointId: Ref<string | null>, townshipCode: Ref<string | null>) {
  const includeLeft = ref(false)
  const diners = ref<DinerRow[]>([])
  const loading = ref(false)
  const saving = ref(false)
  const error = ref<AppError | null>(null)

  let latestLoad = 0

  async function load() {
    const id = pointId.value
    const thisLoad = ++latestLoad
    if (id === null) {
      diners.value = []
      return
    }
    loading.value = true
    try {
      const found = await mealDiners({ point_id: id, include_left: includeLeft.value })
      if (thisLoad === latestLoad) diners.value = found
    } catch (rejection) {
      if (thisLoad === latestLoad) {
        diners.value = []
        error.value = toAppError(rejection)
      }
    } finally {
      if (thisLoad === latestLoad) loading.value = false
    }
  }

  // Enrolling: the registry searched by name, pinyin, initials or ID number within the township.
  const elderOptions = ref<ElderRow[]>([])
  const enrollForm = ref({ elderId: null as string | null, usualMode: 'dine_in' as MealMode, enrolledOn: '' })
  let latestSearch = 0

  async function findElders(query: string) {
    const thisSearch = ++latestSearch
    if (query.trim() === '') {
      elderOptions.value = []
      return
    }
    try {
      const page = await searchElders({
        place_code: townshipCode.value,
        query: query.trim(),
        include_inactive: false,
        page: 1,
        page_size: searchPageSize,
      })
      if (thisSearch === latestSearch) elderOptions.value = page.items
    } catch (rejection) {
      if (thisSearch === latestSearch) error.value = toAppError(rejection)
    }
  }

  /** A blank enrollment from today, in the mode the point offers first. */
  function startEnroll(modes: MealMode[]) {
    elderOptions.value = []
    enrollForm.value = { elderId: null, usualMode: modes[0] ?? 'dine_in', enrolledOn: localDateTime(clock.now()).slice(0, 10) }
  }

  /** Enrolls the chosen elder; resolves to whether it was saved. */
  async function enroll(): Promise<boolean> {
    const id = pointId.value
    const { elderId, usualMode, enrolledOn } = enrollForm.value
    if (id === null || elderId === null) return false
    saving.value = true
    error.value = null
    try {
      await enrollDiner({ point_id: id, elder_id: elderId, enrolled_on: enrolledOn, usual_mode: usualMode })
      await load()
      return true
    } catch (rejection) {
      error.value = toAppError(rejection)
      return false
    } finally {
      saving.value = false
    }
  }

  /** Ends a diner's enrollment from `leftOn`; resolves to whether it was saved. */
  async function leave(dinerId: string, leftOn: string): Promise<boolean> {
    saving.value = true
    error.value = null
    try {
      await leaveDiner({ diner_id: dinerId, left_on: leftOn })
      await load()
      return true
    } catch (rejection) {
      error.value = toAppError(rejection)
      return false
    } finally {
      saving.value = false
    }
  }

  watch([pointId, includeLeft], () => void load())

  return {
    includeLeft,
    diners,
    loading,
    saving,
    error,
    load,
    elderOptions,
    enrollForm,
    findElders,
    startEnroll,
    enroll,
    leave,
  }
}
