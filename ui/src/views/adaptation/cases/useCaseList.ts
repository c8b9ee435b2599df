import { computed, ref, watch } from 'vue'
import type { AdaptationCaseList } from '@/bindings/AdaptationCaseList'
import type { CaseStep } from '@/bindings/CaseStep'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { adaptationCases } from '@/api/adaptation'
import { placeTree } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { recall, remember } from '@/utils/remembered'
import { caseSteps } from '../steps'

/** Whose cases the list shows: one township's (the station), or every township's (the county). */
export type CaseListScope = 'township' | 'county'

/** How many cases wait at one step, and the longest wait among them. */
export interface StepCount {
  step: CaseStep
  cases: number
  longestWaitDays: number
}

/** One township's row of the county's summary: its cases per step, in workflow order. */
export interface TownshipCounts {
  townshipCode: string
  townshipName: string
  steps: Record<CaseStep, StepCount>
  total: number
}

const rememberedTownship = 'adaptation.township'

const emptyCounts = (): Record<CaseStep, StepCount> =>
  Object.fromEntries(caseSteps.map((step) => [step, { step, cases: 0, longestWaitDays: 0 }])) as Record<
    CaseStep,
    StepCount
  >

/**
 * The case files of a township (remembered on this computer; the first one to start with) or of
 * the whole county, longest waiting first. Every step is loaded at once, so the count of each step
 * stays on its tab while one step is shown; `step` null shows them all. Archived cases are left out
 * unless asked for.
 */
export function useCaseList(scope: CaseListScope) {
  const townships = ref<PlaceNode[]>([])
  const townshipCode = ref<string | null>(null)
  const step = ref<CaseStep | null>(null)
  const includeArchived = ref(false)
  const list = ref<AdaptationCaseList | null>(null)
  const loading = ref(false)
  const error = ref<AppError | null>(null)

  const rows = computed(() => {
    const all = list.value?.rows ?? []
    return step.value === null ? all : all.filter((row) => row.step === step.value)
  })

  /** Per step over every township of the list, for the tabs. */
  const stepCounts = computed(() => {
    const counts = emptyCounts()
    for (const count of list.value?.counts ?? []) {
      const shown = counts[count.step]
      shown.cases += count.cases
      shown.longestWaitDays = Math.max(shown.longestWaitDays, count.longest_wait_days)
    }
    return caseSteps.map((each) => counts[each])
  })

  const totalCases = computed(() => list.value?.rows.length ?? 0)

  /** Per township and step, for the county's summary. */
  const townshipCounts = computed(() => {
    const byTownship = new Map<string, TownshipCounts>()
    for (const count of list.value?.counts ?? []) {
      let township = byTownship.get(count.township_code)
      if (!township) {
        township = { townshipCode: count.township_code, townshipName: count.township_name, steps: emptyCounts(), total: 0 }
        byTownship.set(count.township_code, township)
      }
      township.steps[count.step] = { step: count.step, cases: count.cases, longestWaitDays: count.longest_wait_days }
      township.total += count.cases
    }
    return [...byTownship.values()]
  })

  let latestLoad = 0

  async function load() {
    const placeCode = scope === 'county' ? null : townshipCode.value
    if (scope === 'township' && placeCode === null) return
    const thisLoad = ++latestLoad
    loading.value = true
    error.value = null
    try {
      const answer = await adaptationCases({ place_code: placeCode, step: null, include_archived: includeArchived.value })
      if (thisLoad === latestLoad) list.value = answer
    } catch (rejection) {
      if (thisLoad === latestLoad) {
        list.value = null
        error.value = toAppError(rejection)
      }
    } finally {
      if (thisLoad === latestLoad) loading.value = false
    }
  }

  /** The first time the townships and then the list; later the list again. */
  async function open() {
    if (scope === 'county') return load()
    if (townships.value.length > 0) return load()
    try {
      const tree = await placeTree()
      townships.value = tree.filter((place) => place.level === 'township')
    } catch (rejection) {
      error.value = toAppError(rejection)
      return
    }
    const remembered = recall(rememberedTownship)
    const chosen = townships.value.find((place) => place.code === remembered) ?? townships.value[0]
    // The watcher loads a newly chosen township.
    if (chosen && chosen.code !== townshipCode.value) townshipCode.value = chosen.code
    else await load()
  }

  watch(townshipCode, (code) => {
    if (code !== null) remember(rememberedTownship, code)
    void load()
  })
  watch(includeArchived, () => void load())

  return {
    townships,
    townshipCode,
    step,
    includeArchived,
    list,
    rows,
    stepCounts,
    totalCases,
    townshipCounts,
    loading,
    error,
    load,
    open,
  }
}
