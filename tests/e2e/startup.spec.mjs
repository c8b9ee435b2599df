// Starting the app again on the same data: the window opens on the sign-in page (nobody is
// signed in after a restart); the station director signs in with the demo password and lands on
// the due list, of the place chosen last time. Prints the time from launch to the due list's rows, and where it went (the
// app's start milestones, `ui/src/utils/startup.ts`); figures to report, not a pass mark
// (performance is measured, never asserted).
import { readdirSync, readFileSync } from 'node:fs'
import { browser, screenshot, startApp, waitFor } from './lib.mjs'

/**
 * When the newest process running the app binary started (epoch ms, to the kernel's 10 ms
 * tick): a start timed from there leaves out WebDriver's own start-up. Linux only.
 */
function appProcessStart() {
  let newest = null
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] !== process.env.XIANGLIN_APP) continue
      // Field 22 of stat, counted after the command name in parentheses (which may hold spaces).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19])
      if (newest === null || ticks > newest) newest = ticks
    } catch {
      // The process ended while being read.
    }
  }
  if (newest === null) return null
  // The moment of boot from the uptime (to 10 ms; /proc/stat's btime is whole seconds).
  // Real clock: compared with the page's performance.timeOrigin, an epoch time.
  const booted = Date.now() - Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000
  return Math.round(booted + newest * 10)
}

/**
 * When the page's navigation began (epoch ms), and the app's start milestones in ms after it:
 * the entry script run, the app status answered, the home page's rows rendered.
 */
const milestones = () =>
  browser.execute(() => {
    const mark = (name) => Math.round(performance.getEntriesByName(`xianglin:${name}`)[0]?.startTime ?? -1)
    return {
      origin: Math.round(performance.timeOrigin ?? performance.timing.navigationStart),
      script: mark('script'),
      status: mark('status'),
      rendered: mark('home-rendered'),
    }
  })

/**
 * Waits for `selector`, once a second. The figures come from the page's own marks: a poll is a
 * round trip through WebDriver into the page, and the moment one saw the rows came up to 0.2 s
 * after the page had put them there.
 */
const appears = (selector, description) =>
  browser.waitUntil(() => browser.$(selector).isExisting(), { timeout: 60_000, interval: 1000, timeoutMsg: `no ${description}` })

export const steps = [
  ['the app starts again on the sign-in page; the director signs in and lands on the due list', async () => {
    await browser.deleteSession()
    const launched = performance.now()
    // Real clock: the launch as an epoch time, compared with the page's performance.timeOrigin.
    const launchedAt = Date.now()
    await startApp()
    const sessionReady = performance.now() - launched
    await appears('[data-test=signin-password]', 'the sign-in page after a restart')
    const accounts = await browser.execute(() => document.querySelector('[data-test=signin-account]')?.closest('.el-select')?.textContent ?? '')
    if (!accounts.includes('站长')) throw new Error(`the account offered first is not the director's: ${accounts}`)
    await screenshot('signin')
    await browser.$('[data-test=signin-password]').setValue('xianglin-demo')
    const typed = performance.now()
    await browser.$('[data-test=signin-submit]').click()
    await appears('.due-row', 'due rows after signing in')
    console.log(`     sign-in: due list rows ${Math.round(performance.now() - typed)} ms after the password was typed (debug build, argon2id included)`)
    const started = appProcessStart()
    const { origin, script, status, rendered } = await milestones()
    const fromProcess = started === null ? '' : `, ${origin + rendered - started} ms after the app's process started`
    console.log(
      `     restart: due list rows rendered ${origin + rendered - launchedAt} ms after launch${fromProcess} (WebDriver session ${sessionReady} ms)`,
    )
    console.log(
      `     page load began ${origin - launchedAt} ms after launch; then entry script ${script} ms, app status ${status} ms, rows ${rendered} ms`,
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
