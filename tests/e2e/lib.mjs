// Shared by the specs: the app session, the menu, waiting, screenshots, and running steps in order.
import { execFileSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { remote } from 'webdriverio'

const screenshots = fileURLToPath(new URL('../../target/e2e/', import.meta.url))
// A debug build generates the demo county in seconds, but a cold, busy machine is slower.
export const slow = 120_000
export const normal = 30_000

/**
 * Today for the specs. Real clock: the end-to-end test runs once at the real date, and the app
 * under test reads the same system clock (the demo county is generated up to it).
 */
export const today = () => new Date()

/** "YYYY-MM" of `date`. */
export const monthText = (date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`

/** "YYYY-MM" of the month before `month` ("YYYY-MM"). */
export function monthBefore(month) {
  const [year, number] = month.split('-').map(Number)
  return monthText(new Date(year, number - 2, 1))
}

/**
 * The month the app's month pickers open on today: the month just closed in a month's first
 * seven days, else this month (ui/src/utils/time.ts, workingMonth).
 */
export const workingMonth = () => (today().getDate() <= 7 ? monthBefore(monthText(today())) : monthText(today()))

/**
 * Shows `month` ("YYYY-MM") in the month picker `input` (an element) by typing it, and waits for
 * the picker's panel to close.
 */
export async function pickMonth(input, month) {
  const text = `${month.slice(0, 4)}年${month.slice(5)}月`
  if ((await input.getValue()) === text) return
  await input.click()
  await browser.keys(['Control', 'a'])
  await browser.keys('Backspace')
  await input.addValue(text)
  await browser.keys('Enter')
  await waitFor(async () => (await input.getValue()) === text, `the month picker to show ${month}`)
  await waitFor(async () => !(await browser.$('.el-picker__popper').isDisplayed().catch(() => false)), 'the month panel to close')
}

/**
 * Replaces what the input `selector` holds with `text`, as a person would: select all, delete,
 * type. (`setValue` leaves Vue's bound value behind in an input that already holds text.)
 */
export async function retype(selector, text) {
  const input = browser.$(selector)
  await input.click()
  await browser.keys(['Control', 'a'])
  await browser.keys('Backspace')
  await input.addValue(text)
}

/** The password the specs lock saved files with (registers, case files, settlements, rosters). */
export const FILE_PASSWORD = '文件密码2026'

/** Locks the file being saved: types `password` twice in the file-password dialog and confirms. */
export async function lockWith(password = FILE_PASSWORD) {
  await waitFor(() => browser.$('[data-test=file-password-input]').isDisplayed(), 'the file password dialog')
  await retype('[data-test=file-password-input]', password)
  await retype('[data-test=file-password-confirm]', password)
  await browser.$('[data-test=file-password-submit]').click()
}

/**
 * The text poppler reads from the PDF at `path` opened with `password`; fails if the file opens
 * without it (a PDF that names elders is never saved in clear).
 */
export function lockedPdfText(path, password = FILE_PASSWORD) {
  let opened = true
  try {
    execFileSync('pdftotext', [path, '-'], { stdio: 'pipe' })
  } catch {
    opened = false
  }
  if (opened) throw new Error(`${path} opens without a password`)
  return execFileSync('pdftotext', ['-layout', '-upw', password, path, '-'], { encoding: 'utf8' })
}

/**
 * The one file inside the locked zip at `path`, extracted by 7-Zip with `password`; fails if a
 * wrong password opens it (a zip that names elders is never saved in clear).
 */
export function lockedZipText(path, password = FILE_PASSWORD) {
  let opened = true
  try {
    execFileSync('7z', ['x', '-so', '-pnot-the-password', path], { stdio: 'pipe' })
  } catch {
    opened = false
  }
  if (opened) throw new Error(`${path} opens without its password`)
  return execFileSync('7z', ['x', '-so', `-p${password}`, path], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
}

/** The app's WebDriver session, set by `startApp`. */
export let browser

/**
 * Starts the app under tauri-driver (run.sh starts it on 127.0.0.1:4444 and sets XIANGLIN_APP),
 * with `args` on its command line (e.g. `--data-dir` for a second computer).
 */
export async function startApp(args = []) {
  browser = await remote({
    hostname: '127.0.0.1',
    port: 4444,
    logLevel: 'warn',
    capabilities: { 'tauri:options': { application: process.env.XIANGLIN_APP, args } },
  })
}

/** A menu item by its text (the group <li> around the items has a similar class, hence the spaces). */
export const navItem = (label) =>
  browser.$(`//li[contains(concat(' ', @class, ' '), ' el-menu-item ')][contains(., '${label}')]`)

/** Waits for `condition`, failing early with the text of any error message the app shows. */
export async function waitFor(condition, description, timeout = normal) {
  await browser.waitUntil(
    async () => {
      const shownError = await browser.$('.el-message--error')
      if (await shownError.isExisting()) throw new Error(`app showed an error: ${await shownError.getText()}`)
      return condition()
    },
    { timeout, interval: 250, timeoutMsg: `timed out after ${timeout / 1000}s waiting for ${description}` },
  )
}

/**
 * WebKitGTK under Xvfb paints a little behind the DOM, and a screenshot taken at once can show
 * the previous frame; give it a second.
 */
export async function screenshot(name) {
  await mkdir(screenshots, { recursive: true })
  await browser.pause(1000)
  await browser.saveScreenshot(`${screenshots}${name}.png`)
}

/**
 * Runs `[name, step]` pairs in order; each needs the ones before, so after a failure the rest
 * are skipped. Returns the counts.
 */
export async function runSteps(steps) {
  const counts = { passed: 0, failed: 0, skipped: 0 }
  for (const [name, step] of steps) {
    if (counts.failed > 0) {
      counts.skipped += 1
      console.log(`skip ${name}`)
      continue
    }
    try {
      await step()
      counts.passed += 1
      console.log(`ok   ${name}`)
    } catch (error) {
      counts.failed += 1
      console.log(`FAIL ${name}\n     ${error.message}`)
      await screenshot('failure').catch((screenshotError) => console.log(`     no failure screenshot: ${screenshotError.message}`))
    }
  }
  return counts
}
