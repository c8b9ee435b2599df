// 统计报表 end to end, on the demo county as the county reviewer the specs before signed in: the
// whole county over the last six months. 探访率 draws its chart and lists the county total first
// with a rate for every month; 助餐 and 适老化改造 each draw a chart and list their rows; the
// case table exports to an .xlsx workbook in the export folder.
import { existsSync, readFileSync } from 'node:fs'
import { browser, navItem, screenshot, waitFor } from './lib.mjs'
import { successText } from './review.mjs'

const pane = (kind) => `[data-test=dashboards-pane-${kind}]`
const rows = (kind) => browser.$$(`${pane(kind)} [data-test=dashboards-table] [data-test=dashboards-row]`)

/** Waits for a tab's chart (a canvas with a size) and at least the total row and one more. */
async function waitForDashboard(kind) {
  const canvas = browser.$(`${pane(kind)} [data-test=dashboards-chart] canvas`)
  await waitFor(() => canvas.isExisting(), `the ${kind} chart`)
  await waitFor(async () => !(await browser.$(`${pane(kind)} .el-loading-mask`).isExisting()), `the ${kind} tab loaded`)
  await waitFor(async () => (await rows(kind)).length > 1, `the ${kind} table's rows`)
  const size = await canvas.getSize()
  if (size.width < 100 || size.height < 100) throw new Error(`the ${kind} chart is ${size.width}×${size.height}`)
  return (await rows(kind)).length
}

export const steps = [
  ['统计报表 draws the county’s 探访率 by month, the county total first with a rate every month', async () => {
    await navItem('统计报表').click()
    const count = await waitForDashboard('coverage')
    const [total] = await rows('coverage')
    if (!(await total.getAttribute('class'))?.includes('total')) throw new Error('the first row is not the total')
    const rates = []
    for (const cell of await total.$$('[data-test=dashboards-rate]')) rates.push((await cell.getText()).trim())
    if (rates.length !== 6) throw new Error(`the total shows ${rates.length} months: ${rates.join(' ')}`)
    // A month nobody was due in (before the demo's first month) shows no rate.
    for (const rate of rates) {
      const value = Number(rate.replace(/%$/, ''))
      if (rate !== '—' && (!rate.endsWith('%') || !Number.isFinite(value) || value < 0 || value > 100)) throw new Error(`total rate "${rate}"`)
    }
    if (!rates.some((rate) => rate.endsWith('%'))) throw new Error(`no month with a rate: ${rates.join(' ')}`)
    console.log(`     ${count - 1} townships; county ${rates.join(' ')}`)
    await screenshot('dashboards-coverage')
  }],

  ['助餐 draws the subsidy by township and lists meals and subsidy per month', async () => {
    await browser.$('[data-test=dashboards-tab-meals]').click()
    const count = await waitForDashboard('meals')
    const [total] = await rows('meals')
    const meals = []
    for (const cell of await total.$$('[data-test=dashboards-meals]')) meals.push((await cell.getText()).trim())
    if (meals.length !== 6 || meals.some((text) => !/^\d+ 餐$/.test(text))) throw new Error(`total meals ${meals.join(' ')}`)
    console.log(`     ${count - 1} townships; county ${meals.join(' ')}`)
    await screenshot('dashboards-meals')
  }],

  ['适老化改造 draws the cases by township and step, and exports its table to Excel', async () => {
    await browser.$('[data-test=dashboards-tab-cases]').click()
    const count = await waitForDashboard('cases')
    console.log(`     ${count - 1} townships with cases`)
    await screenshot('dashboards-cases')

    await browser.$(`${pane('cases')} [data-test=dashboards-export]`).click()
    await waitFor(async () => (await successText()).includes('.xlsx'), 'the saved message')
    const message = await successText()
    const path = message.replace(/^已保存到\s*/, '')
    if (!message.startsWith('已保存到') || !path.endsWith('.xlsx')) throw new Error(`unexpected message: ${message}`)
    const exportDir = process.env.XIANGLIN_EXPORT_DIR
    if (exportDir && !path.startsWith(exportDir)) throw new Error(`${path} is not in ${exportDir}`)
    if (!existsSync(path)) throw new Error(`no file at ${path}`)
    // An .xlsx is a zip archive.
    if (readFileSync(path).subarray(0, 2).toString('latin1') !== 'PK') throw new Error(`${path} is not a workbook`)
    console.log(`     workbook at ${path}`)
  }],
]
