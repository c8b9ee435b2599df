import { computed, ref, watch } from 'vue'
import type { AdaptationCaseList } from '@/bindings/AdaptationCaseList'
import type { CoverageTrend } from '@/bindings/CoverageTrend'
import type { DashboardKind } from '@/bindings/DashboardKind'
import type { MealTrend } from '@/bindings/MealTrend'
import type { PlaceNode } from '@/bindings/PlaceNode'
import type { TrendRequest } from '@/bindings/TrendRequest'
import { adaptationCases } from '@/api/adaptation'
import { coverageTrend, exportDashboard, mealTrend, printDashboard } from '@/api/dashboards'
import { placeTree } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { workingMonth } from '@/utils/time'
import { casesOption, coverageOption, mealOption } from './charts'
import { caseTable, coverageTable, mealTable } from './tables'
import { clock } from '@/utils/clock'

/** How many months a dashboard can span, as the picker offers them. */
export const monthCounts = [3, 6, 12] as const

/** The dashboards' tabs, in the order they are shown. */
export const dashboardKinds: DashboardKind[] = ['coverage', 'meals', 'cases']

/**
 * The county reviewer's dashboards: the whole county (by township) or one township (by village or
 * meal point), the `months` months up to `toMonth`. Only the shown tab loads, once per choice of
 * place and months; a newer request wins over an older one still answering.
 */
export function useDashboards(now: () => Date = clock.now) {
  const places = ref<PlaceNode[]>([])
  const countyCode = ref<string | null>(null)
  /** The picker's code: the county's (the whole county) or a township's. */
  const placeCode = ref<string | null>(null)
  const toMonth = ref(workingMonth(now()).month)
  const months = ref<number>(6)
  const tab = ref<DashboardKind>('coverage')
  const coverage = ref<CoverageTrend | null>(null)
  const meals = ref<MealTrend | null>(null)
  const cases = ref<AdaptationCaseList | null>(null)
  const loading = ref(false)
  const busy = ref<'export' | 'print' | null>(null)
  const error = ref<AppError | null>(null)
  let latest = 0
  const loadedFor: Record<DashboardKind, string | null> = { coverage: null, meals: null, cases: null }

  /** The townships without their villages: the picker offers the county or a township. */
  const townships = computed<PlaceNode[]>(() => places.value.map((township) => ({ ...township, children: [] })))

  const request = computed<TrendRequest>(() => ({
    place_code: placeCode.value === null || placeCode.value === countyCode.value ? null : placeCode.value,
    to_month: toMonth.value,
    months: months.value,
  }))

  const coverageLines = computed(() => (coverage.value ? coverageTable(coverage.value) : []))
  const mealLines = computed(() => (meals.value ? mealTable(meals.value) : []))
  const caseLines = computed(() => (cases.value ? caseTable(cases.value) : null))
  const coverageChart = computed(() => (coverage.value ? coverageOption(coverage.value) : null))
  const mealChart = computed(() => (meals.value ? mealOption(meals.value) : null))
  const casesChart = computed(() => (cases.value ? casesOption(cases.value) : null))

  /** Loads the shown tab, unless it already shows this place and these months (`force`: again anyway). */
  async function load(force = false) {
    const kind = tab.value
    const current = request.value
    // The cases are where they stand today, whatever the months.
    const key = kind === 'cases' ? String(current.place_code) : JSON.stringify(current)
    if (!force && loadedFor[kind] === key) return
    const thisLoad = ++latest
    loading.value = true
    error.value = null
    try {
      if (kind === 'coverage') {
        const answer = await coverageTrend(current)
        if (thisLoad === latest) coverage.value = answer
      } else if (kind === 'meals') {
        const answer = await mealTrend(current)
        if (thisLoad === latest) meals.value = answer
      } else {
        const answer = await adaptationCases({ place_code: current.place_code, step: null, include_archived: true })
        if (thisLoad === latest) cases.value = answer
      }
      if (thisLoad === latest) loadedFor[kind] = key
    } catch (rejection) {
      if (thisLoad === latest) error.value = toAppError(rejection)
    } finally {
      if (thisLoad === latest) loading.value = false
    }
  }

  /** Loads the place tree and shows the whole county (`countyCode`, as the picker names it). */
  async function start(county: string | null = null) {
    try {
      places.value = await placeTree()
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
    countyCode.value = county
    if (placeCode.value !== county) placeCode.value = county
    else await load()
  }

  /** Writes the shown tab's table (.xlsx, or PDF to print); resolves to where, or null (then `error` says why). */
  async function save(action: 'export' | 'print'): Promise<string | null> {
    busy.value = action
    error.value = null
    try {
      const file = { kind: tab.value, request: request.value }
      return (await (action === 'export' ? exportDashboard(file) : printDashboard(file))).path
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      busy.value = null
    }
  }

  watch([placeCode, toMonth, months, tab], () => void load())

  return {
    places,
    townships,
    placeCode,
    toMonth,
    months,
    tab,
    request,
    coverage,
    meals,
    cases,
    coverageLines,
    mealLines,
    caseLines,
    coverageChart,
    mealChart,
    casesChart,
    loading,
    busy,
    error,
    start,
    load,
    save,
  }
}
