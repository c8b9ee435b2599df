// The county's checks (异常核查) end to end, on the demo county. The page opens on the month a
// reviewer means (the month just closed in a month's first seven days, else this month) and says
// which; the spec then asks for the month just closed, which the demo fills with findings on any
// day it is generated (the scenario `calendar` checks that at many dates), counts them per kind,
// and a kind's card narrows the table to that kind's rows.
import { browser, monthBefore, monthText, navItem, pickMonth, screenshot, today, waitFor, workingMonth } from './lib.mjs'
const kindCount = async (card) => Number(await card.$('.count').getText())
const waitForLoaded = () => waitFor(async () => !(await browser.$('.el-loading-mask').isExisting()), 'loading to finish')

export const steps = [
  ['异常核查 opens on the month a reviewer means and says which month it shows', async () => {
    await navItem('异常核查').click()
    await waitFor(async () => (await browser.$$('[data-test^=anomaly-kind-]')).length === 6, 'the five kinds and 全部')
    await waitForLoaded()
    const input = await browser.$('input[aria-label="核查月份"]')
    const opened = await input.getValue()
    const expected = workingMonth()
    if (opened !== `${expected.slice(0, 4)}年${expected.slice(5)}月`) throw new Error(`opened on ${opened}, expected ${expected}`)
    const shown = await browser.$('[data-test=month-shown]').getText()
    const [year, month] = expected.split('-').map(Number)
    if (!shown.includes(`${year}年${month}月`)) throw new Error(`the page says "${shown}" for ${expected}`)
    console.log(`     ${shown}`)
  }],
  ['异常核查 counts the findings of the month just closed per kind, and a kind’s card shows only its rows', async () => {
    const closed = monthBefore(monthText(today()))
    await pickMonth(await browser.$('input[aria-label="核查月份"]'), closed)
    await waitForLoaded()
    const total = browser.$('[data-test=anomaly-kind-all] .count')
    const counts = {}
    let sum = 0
    for (const card of await browser.$$('[data-test^=anomaly-kind-]')) {
      const kind = (await card.getAttribute('data-test')).slice('anomaly-kind-'.length)
      if (kind === 'all') continue
      counts[kind] = await kindCount(card)
      sum += counts[kind]
    }
    if (Number(await total.getText()) !== sum) throw new Error(`全部 ${await total.getText()}, kinds ${JSON.stringify(counts)}`)
    console.log(`     ${closed}: ${JSON.stringify(counts)}`)
    await screenshot('anomalies')

    const [kind, count] = Object.entries(counts).find(([, each]) => each > 0) ?? []
    if (!kind) throw new Error(`the demo has no finding in ${closed}`)
    await browser.$(`[data-test=anomaly-kind-${kind}]`).click()
    await waitFor(async () => (await browser.$$('[data-test=anomaly-row]')).length === count, `${kind} rows only`)
    const label = await browser.$(`[data-test=anomaly-kind-${kind}] .label`).getText()
    for (const tag of await browser.$$('[data-test=anomaly-row]')) {
      if ((await tag.getText()) !== label) throw new Error(`a ${await tag.getText()} row under ${label}`)
    }
    await browser.$('[data-test=anomaly-kind-all]').click()
  }],
]
