// The county's checks (异常核查) end to end, on the demo county: this month's findings in every
// kind, counted per kind; a kind's card narrows the table to it, and its rows are that kind.
import { browser, navItem, screenshot, waitFor } from './lib.mjs'
const kindCount = async (card) => Number(await card.$('.count').getText())

export const steps = [
  ['异常核查 counts this month’s findings per kind, and a kind’s card shows only its rows', async () => {
    await navItem('异常核查').click()
    const total = browser.$('[data-test=anomaly-kind-all] .count')
    await waitFor(async () => (await browser.$$('[data-test^=anomaly-kind-]')).length === 6, 'the five kinds and 全部')
    await waitFor(async () => !(await browser.$('.el-loading-mask').isExisting()), 'loading to finish')
    const counts = {}
    let sum = 0
    for (const card of await browser.$$('[data-test^=anomaly-kind-]')) {
      const kind = (await card.getAttribute('data-test')).slice('anomaly-kind-'.length)
      if (kind === 'all') continue
      counts[kind] = await kindCount(card)
      sum += counts[kind]
    }
    if (Number(await total.getText()) !== sum) throw new Error(`全部 ${await total.getText()}, kinds ${JSON.stringify(counts)}`)
    console.log(`     ${JSON.stringify(counts)}`)
    await screenshot('anomalies')

    const [kind, count] = Object.entries(counts).find(([, each]) => each > 0) ?? []
    if (!kind) throw new Error('the demo month has no finding to show')
    await browser.$(`[data-test=anomaly-kind-${kind}]`).click()
    await waitFor(async () => (await browser.$$('[data-test=anomaly-row]')).length === count, `${kind} rows only`)
    const label = await browser.$(`[data-test=anomaly-kind-${kind}] .label`).getText()
    for (const tag of await browser.$$('[data-test=anomaly-row]')) {
      if ((await tag.getText()) !== label) throw new Error(`a ${await tag.getText()} row under ${label}`)
    }
    await browser.$('[data-test=anomaly-kind-all]').click()
  }],
]
