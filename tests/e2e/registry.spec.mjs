// The elder registry end to end: welcome page → demo county → search by initials → one elder.
//
// Run through run.sh, which starts tauri-driver on 127.0.0.1:4444 and sets XIANGLIN_APP.
// Steps run in order and each needs the one before; after a failure the rest are skipped.
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { remote } from 'webdriverio'

const screenshots = fileURLToPath(new URL('../../target/e2e/', import.meta.url))
// A debug build generates the demo county in seconds, but a cold, busy machine is slower.
const slow = 120_000
const normal = 30_000

let browser
try {
  browser = await remote({
    hostname: '127.0.0.1',
    port: 4444,
    logLevel: 'warn',
    capabilities: { 'tauri:options': { application: process.env.XIANGLIN_APP } },
  })
} catch (error) {
  console.log(`FAIL the app starts under tauri-driver\n     ${error.message}`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}

/** Waits for `condition`, failing early with the text of any error message the app shows. */
async function waitFor(condition, description, timeout = normal) {
  await browser.waitUntil(
    async () => {
      const shownError = await browser.$('.el-message--error')
      if (await shownError.isExisting()) throw new Error(`app showed an error: ${await shownError.getText()}`)
      return condition()
    },
    { timeout, interval: 250, timeoutMsg: `timed out after ${timeout / 1000}s waiting for ${description}` },
  )
}

/** A registry row showing `name`; one XPath query, so a table re-rendering under us is harmless. */
const elderRow = (name) => browser.$(`//tr[contains(@class, "elder-row")][contains(., "${name}")]`)

/**
 * WebKitGTK under Xvfb paints a little behind the DOM, and a screenshot taken at once can show
 * the previous frame; give it a second.
 */
async function screenshot(name) {
  await mkdir(screenshots, { recursive: true })
  await browser.pause(1000)
  await browser.saveScreenshot(`${screenshots}${name}.png`)
}

const steps = [
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

let passed = 0
let failed = 0
let skipped = 0
try {
  for (const [name, step] of steps) {
    if (failed > 0) {
      skipped += 1
      console.log(`skip ${name}`)
      continue
    }
    try {
      await step()
      passed += 1
      console.log(`ok   ${name}`)
    } catch (error) {
      failed += 1
      console.log(`FAIL ${name}\n     ${error.message}`)
      await screenshot('failure').catch((screenshotError) => console.log(`     no failure screenshot: ${screenshotError.message}`))
    }
  }
} finally {
  await browser.deleteSession()
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed > 0 ? 1 : 0
