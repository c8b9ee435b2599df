// Starting the app again on the same data: the window opens on the due list, of the place
// chosen last time. Prints the time from launch to the due list's rows; a figure to report,
// not a pass mark (performance is measured, never asserted).
import { browser, screenshot, startApp, waitFor } from './lib.mjs'

/** Waits for `selector` polling every 20 ms, so the figure is not rounded up to a poll. */
const appears = (selector, description) =>
  browser.waitUntil(() => browser.$(selector).isExisting(), { timeout: 60_000, interval: 20, timeoutMsg: `no ${description}` })

export const steps = [
  ['the app starts again on the same data and opens on the due list', async () => {
    await browser.deleteSession()
    const launched = Date.now()
    await startApp()
    const sessionReady = Date.now() - launched
    await appears('.due-row', 'due rows after a restart')
    const dueList = Date.now() - launched
    console.log(
      `     restart: WebDriver session and window ${sessionReady} ms; due list rows shown ${dueList} ms after launch`,
    )
    await screenshot('restart-due-list')
  }],
  ['picking a caseworker narrows the due list to their villages', async () => {
    const rowVillages = () =>
      browser.execute(() => [...document.querySelectorAll('.due-row td:nth-child(3)')].map((cell) => cell.textContent.trim()))
    const before = await rowVillages()
    await browser.$('[data-test=due-caseworker]').click()
    const option = browser.$('//li[contains(@class, "el-select-dropdown__item")][.//span[contains(@class, "caseworker-villages")]]')
    await waitFor(() => option.isDisplayed(), 'the caseworker options')
    const villages = (await option.$('.caseworker-villages').getText()).split('、')
    await option.click()
    await waitFor(async () => {
      const shown = await rowVillages()
      return shown.length > 0 && shown.length < before.length && shown.every((village) => villages.includes(village))
    }, `only rows of ${villages.join('、')}`)
    console.log(`     ${before.length} rows for the place, ${(await rowVillages()).length} for a caseworker of ${villages.length} villages`)
    await screenshot('due-list-caseworker')
  }],
]
