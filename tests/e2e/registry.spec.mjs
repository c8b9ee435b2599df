// The elder registry end to end: welcome page → demo county → search by initials → one elder.
import { browser, screenshot, slow, normal, waitFor } from './lib.mjs'

/** A registry row showing `name`; one XPath query, so a table re-rendering under us is harmless. */
const elderRow = (name) => browser.$(`//tr[contains(@class, "elder-row")][contains(., "${name}")]`)

export const steps = [
  ['an empty computer opens on the welcome page', async () => {
    await browser.$('[data-test=open-demo]').waitForDisplayed({ timeout: normal })
  }],
  ['opening the demo county fills the registry', async () => {
    await browser.$('[data-test=open-demo]').click()
    await waitFor(() => browser.$('.elder-row').isExisting(), 'registry rows', slow)
  }],
  ['typing pinyin initials finds 张建国', async () => {
    const total = browser.$('.el-pagination__total')
    const wholeCounty = await total.getText()
    await browser.$('[data-test=elder-search]').setValue('zjg')
    await waitFor(
      async () => (await total.getText()) !== wholeCounty && (await elderRow('张建国').isExisting()),
      'the search result with 张建国',
    )
    await screenshot('registry')
  }],
  ['clicking the row opens the elder with a masked ID number', async () => {
    // WebKitWebDriver cannot click a <tr> ("not interactable"); its first cell works.
    await elderRow('张建国').$('td').click()
    const name = browser.$('[data-test=elder-name]')
    await waitFor(async () => (await name.isExisting()) && (await name.getText()) === '张建国', 'the detail of 张建国')
    const idNumber = await browser.$('[data-test=elder-id-number]').getText()
    if (!idNumber.includes('*')) throw new Error(`ID number is not masked: ${idNumber}`)
    await screenshot('elder-detail')
  }],
]
