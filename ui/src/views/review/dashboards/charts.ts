// The dashboards' charts as ECharts options, built from what the backend answers. Only types come
// from ECharts here, so this stays testable and out of any bundle but the page's.
import type { AdaptationCaseList } from '@/bindings/AdaptationCaseList'
import type { CoverageCell } from '@/bindings/CoverageCell'
import type { CoverageTrend } from '@/bindings/CoverageTrend'
import type { MealTrend } from '@/bindings/MealTrend'
import type { ChartOption } from '@/components/echarts'
import { i18n } from '@/locales'
import { yuan } from '@/views/meals/money'
import { caseTable } from './tables'

const legend = { type: 'scroll', top: 0, left: 0, right: 0 } as const
const grid = { left: 56, right: 56, top: 56, bottom: 32 }
/** The total's line: dark, so it stands apart from the rows' palette colours. */
const totalColor = '#303133'

/** A per-mille rate as a percentage with one decimal, as a number: 666 is 66.6. */
export const percentOf = (perMille: number) => Math.round(perMille) / 10

/** A month's rate for the chart; none (a gap in the line) when nobody was due. */
const rateOf = (cell: CoverageCell) => (cell.due === 0 ? null : percentOf(cell.rate_per_mille))

/** 月探访率 (%) per month: a line per row, the total as a thicker line drawn on top. */
export function coverageOption(trend: CoverageTrend): ChartOption {
  const t = i18n.global.t
  const line = (name: string, data: (number | null)[], total: boolean) => ({
    type: 'line' as const,
    name,
    data,
    symbolSize: total ? 7 : 4,
    lineStyle: { width: total ? 4 : 1.5 },
    // The total in a colour of its own, outside the palette the rows take theirs from.
    ...(total ? { color: totalColor, z: 3 } : {}),
  })
  return {
    tooltip: { trigger: 'axis', valueFormatter: (value) => (value == null ? '—' : `${Number(value).toFixed(1)}%`) },
    legend,
    grid,
    xAxis: { type: 'category', data: trend.months, boundaryGap: false },
    yAxis: { type: 'value', name: t('dashboards.coverage.axis'), min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      line(trend.total.place_name, trend.total.cells.map(rateOf), true),
      ...trend.rows.map((row) => line(row.place_name, row.cells.map(rateOf), false)),
    ],
  }
}

/** Subsidy (元) per month stacked by row, and the total meals as a line on the right-hand axis. */
export function mealOption(trend: MealTrend): ChartOption {
  const t = i18n.global.t
  const inYuan = (value: unknown) => t('dashboards.meals.subsidy', { yuan: yuan(Math.round(Number(value) * 100)) })
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend,
    grid,
    xAxis: { type: 'category', data: trend.months },
    yAxis: [
      { type: 'value', name: t('dashboards.meals.subsidyAxis') },
      { type: 'value', name: t('dashboards.meals.mealsAxis'), minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      ...trend.rows.map((row) => ({
        type: 'bar' as const,
        name: row.place_name,
        stack: 'subsidy',
        data: row.cells.map((cell) => cell.subsidy / 100),
        tooltip: { valueFormatter: inYuan },
      })),
      {
        type: 'line' as const,
        name: t('dashboards.meals.totalMeals'),
        yAxisIndex: 1,
        data: trend.total.cells.map((cell) => cell.meals),
        color: totalColor,
        lineStyle: { width: 3 },
        symbolSize: 7,
        z: 3,
        tooltip: { valueFormatter: (value) => t('dashboards.meals.mealsCount', { count: String(value) }) },
      },
    ],
  }
}

/** Cases per township, stacked by the step they are at (one series per step, in workflow order). */
export function casesOption(list: AdaptationCaseList): ChartOption {
  const t = i18n.global.t
  const table = caseTable(list)
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend,
    grid,
    xAxis: {
      type: 'category',
      data: table.rows.map((row) => row.name),
      axisLabel: { interval: 0, rotate: table.rows.length > 8 ? 30 : 0 },
    },
    yAxis: { type: 'value', name: t('dashboards.cases.axis'), minInterval: 1 },
    series: table.steps.map((step, index) => ({
      type: 'bar' as const,
      name: step.label,
      stack: 'cases',
      data: table.rows.map((row) => row.cells[index]?.cases ?? 0),
    })),
  }
}
