// Starting the app again on the same data: the window opens on the registry, and the due list
// is one click away. Prints the time from launch to the due list's rows; a figure to report,
// not a pass mark (performance is measured, never asserted).
import { browser, startApp } from './lib.mjs'

const navItem = (label) => browser.$(`//li[contains(@class, "el-menu-item")][.//span[normalize-space(.)="${label}"]]`)

/** Waits for `selector` polling every 20 ms, so the figure is not rounded up to a poll. */
const appears = (selector, description) =>
  browser.waitUntil(() => browser.$(selector).isExisting(), { timeout: 60_000, interval: 20, timeoutMsg: `no ${description}` })

export const steps = [
  ['the app starts again on the same data and shows the due list', async () => {
    await browser.deleteSession()
    const launched = Date.now()
    await startApp()
    const sessionReady = Date.now() - launched
    await appears('.elder-row', 'registry rows after a restart')
    const firstPage = Date.now() - launched
    const clicked = Date.now()
    await navItem('待访清单').click()
    await appears('.due-row', 'due rows after a restart')
    const dueList = Date.now() - clicked
    console.log(
      `     restart: WebDriver session and window ${sessionReady} ms, registry shown at ${firstPage} ms; ` +
        `due list ${dueList} ms after the click (${firstPage + dueList} ms from launch)`,
    )
  }],
]
