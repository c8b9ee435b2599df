// The dashboards' tables: place × month (or township × step), the total row first.
import type { AdaptationCaseList } from '@/bindings/AdaptationCaseList'
import type { CaseStep } from '@/bindings/CaseStep'
import type { CoverageTrend } from '@/bindings/CoverageTrend'
import type { MealTrend } from '@/bindings/MealTrend'
import { enumLabel, i18n } from '@/locales'
import { yuan } from '@/views/meals/money'

/** A rate in per mille as a percentage with one decimal: 666 is "66.6%". */
export const percent = (perMille: number) => `${(perMille / 10).toFixed(1)}%`

export interface CoverageLine {
  code: string
  name: string
  total: boolean
  cells: { rate: string; visited: number; due: number }[]
}

export function coverageTable(trend: CoverageTrend): CoverageLine[] {
  return [trend.total, ...trend.rows].map((row, index) => ({
    code: row.place_code,
    name: row.place_name,
    total: index === 0,
    // Nobody due: no rate to show (the backend's 100% would read as a month well done).
    cells: row.cells.map((cell) => ({
      rate: cell.due === 0 ? '—' : percent(cell.rate_per_mille),
      visited: cell.visited,
      due: cell.due,
    })),
  }))
}

export interface MealLine {
  code: string
  name: string
  total: boolean
  cells: { meals: number; diners: number; subsidy: string }[]
}

export function mealTable(trend: MealTrend): MealLine[] {
  return [trend.total, ...trend.rows].map((row, index) => ({
    code: row.place_code,
    name: row.place_name,
    total: index === 0,
    cells: row.cells.map((cell) => ({ meals: cell.meals, diners: cell.diners, subsidy: yuan(cell.subsidy) })),
  }))
}

/** The workflow's order; a step the backend adds fails to compile here until it is placed. */
const stepOrder: Record<CaseStep, number> = {
  application: 0,
  township_review: 1,
  county_review: 2,
  assessment: 3,
  plan: 4,
  construction: 5,
  acceptance: 6,
  settlement: 7,
  follow_up: 8,
  archived: 9,
}

export interface CaseCell {
  cases: number
  longestWaitDays: number
}

export interface CaseLine {
  code: string
  name: string
  total: boolean
  cells: CaseCell[]
  cases: number
}

export interface CaseTable {
  /** The steps the counts name, in workflow order. */
  steps: { step: CaseStep; label: string }[]
  /** One per township, in the order the counts list them. */
  rows: CaseLine[]
  /** Every township's cases per step. */
  total: CaseLine
}

export function caseTable(list: AdaptationCaseList): CaseTable {
  const labels = new Map<CaseStep, string>()
  const townships = new Map<string, { name: string; counts: Map<CaseStep, CaseCell> }>()
  for (const count of list.counts) {
    if (!labels.has(count.step)) labels.set(count.step, count.step_label || enumLabel('case_step', count.step))
    let township = townships.get(count.township_code)
    if (!township) {
      township = { name: count.township_name, counts: new Map() }
      townships.set(count.township_code, township)
    }
    const cell = township.counts.get(count.step) ?? { cases: 0, longestWaitDays: 0 }
    township.counts.set(count.step, {
      cases: cell.cases + count.cases,
      longestWaitDays: Math.max(cell.longestWaitDays, count.longest_wait_days),
    })
  }
  const steps = [...labels].sort(([a], [b]) => stepOrder[a] - stepOrder[b]).map(([step, label]) => ({ step, label }))
  const rows = [...townships].map(([code, township]) => {
    const cells = steps.map(({ step }) => township.counts.get(step) ?? { cases: 0, longestWaitDays: 0 })
    return { code, name: township.name, total: false, cells, cases: cells.reduce((sum, cell) => sum + cell.cases, 0) }
  })
  const totalCells = steps.map((_, index) => ({
    cases: rows.reduce((sum, row) => sum + (row.cells[index]?.cases ?? 0), 0),
    longestWaitDays: Math.max(0, ...rows.map((row) => row.cells[index]?.longestWaitDays ?? 0)),
  }))
  const total = {
    code: '',
    name: i18n.global.t('dashboards.total'),
    total: true,
    cells: totalCells,
    cases: rows.reduce((sum, row) => sum + row.cases, 0),
  }
  return { steps, rows, total }
}
