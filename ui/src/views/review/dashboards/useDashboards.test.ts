import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { AdaptationCaseList } from '@/bindings/AdaptationCaseList'
import type { CaseStepCount } from '@/bindings/CaseStepCount'
import type { CoverageTrend } from '@/bindings/CoverageTrend'
import type { MealTrend } from '@/bindings/MealTrend'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { adaptationCases } from '@/api/adaptation'
import { coverageTrend, exportDashboard, mealTrend, printDashboard } from '@/api/dashboards'
import { placeTree } from '@/api/elders'
import { useDashboards } from './useDashboards'

vi.mock('@/api/elders', () => ({ placeTree: vi.fn() }))
vi.mock('@/api/adaptation', () => ({ adaptationCases: vi.fn() }))
vi.mock('@/api/dashboards', () => ({
  coverageTrend: vi.fn(),
  mealTrend: vi.fn(),
  exportDashboard: vi.fn(),
  printDashboard: vi.fn(),
}))

const flush = async () => {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

const county = '360733000000'
const township = '360733105000'
const village = (code: string): PlaceNode => ({ code, name: '白沙村委会', level: 'village', elders: 3, children: [] })
const tree: PlaceNode[] = [
  { code: township, name: '庄口镇', level: 'township', elders: 5, children: [village('360733105201'), village('360733105202')] },
]

const coverage: CoverageTrend = {
  months: ['2026-10', '2026-11'],
  total: {
    place_code: county,
    place_name: '会昌县',
    cells: [
      { due: 10, visited: 7, rate_per_mille: 700 },
      { due: 0, visited: 0, rate_per_mille: 1000 },
    ],
  },
  rows: [
    {
      place_code: township,
      place_name: '庄口镇',
      cells: [
        { due: 3, visited: 2, rate_per_mille: 666 },
        { due: 0, visited: 0, rate_per_mille: 1000 },
      ],
    },
  ],
}

const meals: MealTrend = {
  months: ['2026-10', '2026-11'],
  total: {
    place_code: county,
    place_name: '会昌县',
    cells: [
      { diners: 4, meals: 40, subsidy: 123456 },
      { diners: 0, meals: 0, subsidy: 0 },
    ],
  },
  rows: [
    {
      place_code: township,
      place_name: '庄口镇',
      cells: [
        { diners: 4, meals: 40, subsidy: 123456 },
        { diners: 0, meals: 0, subsidy: 0 },
      ],
    },
  ],
}

const count = (
  township_code: string,
  township_name: string,
  step: CaseStepCount['step'],
  step_label: string,
  cases: number,
  longest_wait_days = 0,
): CaseStepCount => ({ township_code, township_name, step, step_label, cases, longest_wait_days })

const cases: AdaptationCaseList = {
  rows: [],
  counts: [
    count(township, '庄口镇', 'application', '申请', 2, 9),
    count(township, '庄口镇', 'county_review', '县级审核', 1, 4),
    count('360733106000', '站塘乡', 'archived', '归档', 3),
    count('360733106000', '站塘乡', 'application', '申请', 1, 12),
  ],
}

describe('useDashboards', () => {
  beforeEach(() => {
    vi.mocked(placeTree).mockReset().mockResolvedValue(tree)
    vi.mocked(coverageTrend).mockReset().mockResolvedValue(coverage)
    vi.mocked(mealTrend).mockReset().mockResolvedValue(meals)
    vi.mocked(adaptationCases).mockReset().mockResolvedValue(cases)
    vi.mocked(exportDashboard).mockReset().mockResolvedValue({ path: '/tmp/exports/探访率.xlsx' })
    vi.mocked(printDashboard).mockReset().mockResolvedValue({ path: '/tmp/exports/探访率.pdf' })
  })

  it('starts on the whole county, six months up to this month, and offers only townships', async () => {
    const dashboards = useDashboards(() => new Date(2026, 10, 20))
    await dashboards.start(county)
    await flush()
    expect(coverageTrend).toHaveBeenCalledOnce()
    expect(coverageTrend).toHaveBeenCalledWith({ place_code: null, to_month: '2026-11', months: 6 })
    expect(mealTrend).not.toHaveBeenCalled()
    expect(dashboards.townships.value.map((place) => [place.code, place.children.length])).toEqual([[township, 0]])
  })

  it('shows the coverage total first, with rates as percentages and a thicker total line', async () => {
    const dashboards = useDashboards(() => new Date(2026, 10, 20))
    await dashboards.start(county)
    await flush()
    expect(dashboards.coverageLines.value).toEqual([
      {
        code: county,
        name: '会昌县',
        total: true,
        cells: [
          { rate: '70.0%', visited: 7, due: 10 },
          { rate: '—', visited: 0, due: 0 },
        ],
      },
      {
        code: township,
        name: '庄口镇',
        total: false,
        cells: [
          { rate: '66.6%', visited: 2, due: 3 },
          { rate: '—', visited: 0, due: 0 },
        ],
      },
    ])
    const series = dashboards.coverageChart.value?.series
    expect(Array.isArray(series) && series.map((line) => [line.name, line.data, 'lineStyle' in line ? line.lineStyle : null])).toEqual([
      ['会昌县', [70, null], { width: 4 }],
      ['庄口镇', [66.6, null], { width: 1.5 }],
    ])
  })

  it('asks for a township and the chosen months, and for the county again by its code', async () => {
    const dashboards = useDashboards(() => new Date(2026, 10, 20))
    await dashboards.start(county)
    dashboards.placeCode.value = township
    await flush()
    expect(coverageTrend).toHaveBeenLastCalledWith({ place_code: township, to_month: '2026-11', months: 6 })
    dashboards.months.value = 12
    dashboards.toMonth.value = '2026-09'
    await flush()
    expect(coverageTrend).toHaveBeenLastCalledWith({ place_code: township, to_month: '2026-09', months: 12 })
    dashboards.placeCode.value = county
    await flush()
    expect(coverageTrend).toHaveBeenLastCalledWith({ place_code: null, to_month: '2026-09', months: 12 })
  })

  it('loads a tab when it is first shown, and not again for the same choice', async () => {
    const dashboards = useDashboards(() => new Date(2026, 10, 20))
    await dashboards.start(county)
    dashboards.tab.value = 'meals'
    await flush()
    expect(mealTrend).toHaveBeenCalledWith({ place_code: null, to_month: '2026-11', months: 6 })
    expect(dashboards.mealLines.value[0]).toEqual({
      code: county,
      name: '会昌县',
      total: true,
      cells: [
        { meals: 40, diners: 4, subsidy: '1,234.56' },
        { meals: 0, diners: 0, subsidy: '0.00' },
      ],
    })
    const series = dashboards.mealChart.value?.series
    expect(Array.isArray(series) && series.map((one) => [one.type, one.name, one.data])).toEqual([
      ['bar', '庄口镇', [1234.56, 0]],
      ['line', '合计餐数', [40, 0]],
    ])
    dashboards.tab.value = 'coverage'
    await flush()
    dashboards.tab.value = 'meals'
    await flush()
    expect(coverageTrend).toHaveBeenCalledOnce()
    expect(mealTrend).toHaveBeenCalledOnce()
  })

  it('counts the cases per township and step in workflow order, whatever the months', async () => {
    const dashboards = useDashboards(() => new Date(2026, 10, 20))
    await dashboards.start(county)
    dashboards.tab.value = 'cases'
    await flush()
    expect(adaptationCases).toHaveBeenCalledWith({ place_code: null, step: null, include_archived: true })
    const table = dashboards.caseLines.value
    expect(table?.steps.map((step) => step.label)).toEqual(['申请', '县级审核', '归档'])
    expect(table?.total).toMatchObject({ name: '合计', cases: 7 })
    expect(table?.total.cells).toEqual([
      { cases: 3, longestWaitDays: 12 },
      { cases: 1, longestWaitDays: 4 },
      { cases: 3, longestWaitDays: 0 },
    ])
    expect(table?.rows.map((row) => [row.name, row.cells.map((cell) => cell.cases), row.cases])).toEqual([
      ['庄口镇', [2, 1, 0], 3],
      ['站塘乡', [1, 0, 3], 4],
    ])
    const series = dashboards.casesChart.value?.series
    expect(Array.isArray(series) && series.map((bar) => [bar.name, bar.stack, bar.data])).toEqual([
      ['申请', 'cases', [2, 1]],
      ['县级审核', 'cases', [1, 0]],
      ['归档', 'cases', [0, 3]],
    ])
    dashboards.months.value = 12
    await flush()
    expect(adaptationCases).toHaveBeenCalledOnce()
  })

  it('exports and prints the shown tab with the request it shows', async () => {
    const dashboards = useDashboards(() => new Date(2026, 10, 20))
    await dashboards.start(county)
    dashboards.placeCode.value = township
    await flush()
    expect(await dashboards.save('export')).toBe('/tmp/exports/探访率.xlsx')
    expect(exportDashboard).toHaveBeenCalledWith({
      kind: 'coverage',
      request: { place_code: township, to_month: '2026-11', months: 6 },
    })
    dashboards.tab.value = 'cases'
    await flush()
    expect(await dashboards.save('print')).toBe('/tmp/exports/探访率.pdf')
    expect(printDashboard).toHaveBeenCalledWith({
      kind: 'cases',
      request: { place_code: township, to_month: '2026-11', months: 6 },
    })
    expect(dashboards.busy.value).toBeNull()
  })

  it('keeps a refusal to show, and a newer answer wins over an older one', async () => {
    vi.mocked(exportDashboard).mockRejectedValue({ code: 'io', message: '导出文件夹不可写' })
    const dashboards = useDashboards(() => new Date(2026, 10, 20))
    await dashboards.start(county)
    await flush()
    expect(await dashboards.save('export')).toBeNull()
    expect(dashboards.error.value).toEqual({ code: 'io', message: '导出文件夹不可写', problems: [] })

    let answerOld: (trend: CoverageTrend) => void = () => {}
    vi.mocked(coverageTrend).mockImplementationOnce(() => new Promise((resolve) => (answerOld = resolve)))
    dashboards.months.value = 3
    await flush()
    dashboards.months.value = 12
    await flush()
    answerOld({ ...coverage, months: ['2026-11'] })
    await flush()
    expect(dashboards.coverage.value?.months).toEqual(['2026-10', '2026-11'])
    expect(dashboards.loading.value).toBe(false)
  })
})
