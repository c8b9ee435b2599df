// A second, empty computer enrolls with the county server that run.sh started (the real
// xianglin-county binary, holding the demo township) and gets its caseworker's village.
import { browser, screenshot, slow, startApp, waitFor } from './lib.mjs'

const navItem = (label) => browser.$(`//li[contains(@class, "el-menu-item")][.//span[normalize-space(.)="${label}"]]`)

/** Element Plus puts an el-input's data-test on the <input> itself. */
const fill = async (selector, value) => {
  const input = browser.$(selector)
  // WebKitWebDriver's clear does not reach Vue's model; select all and type over it.
  await input.click()
  await browser.keys(['Control', 'a'])
  await browser.keys(['Backspace'])
  await input.addValue(value)
}

export const steps = [
  ['an empty computer enrolls with a one-time code and opens on its due list', async () => {
    await browser.deleteSession()
    await startApp(['--data-dir', process.env.XIANGLIN_SECOND_DATA_DIR])
    await browser.$('[data-test=enroll-server]').waitForDisplayed({ timeout: slow })
    await fill('[data-test=enroll-server]', process.env.XIANGLIN_COUNTY_URL)
    await fill('[data-test=enroll-code]', process.env.XIANGLIN_ENROLL_CODE)
    await fill('[data-test=enroll-label]', '白沙村探访员的电脑')
    await screenshot('enroll-form')
    await browser.$('[data-test=enroll]').click()
    await waitFor(() => browser.$('.due-row').isExisting(), 'the due list of the enrolled caseworker', slow)
    const villages = await browser.execute(() =>
      [...new Set([...document.querySelectorAll('.due-row td:nth-child(3)')].map((cell) => cell.textContent.trim()))],
    )
    if (villages.length !== 1 || villages[0] !== '白沙村委会') throw new Error(`rows from ${villages.join('、')}, not only 白沙村委会`)
    await screenshot('enrolled-due-list')
  }],
  ['the sync page shows the last success and nothing waiting', async () => {
    await navItem('同步').click()
    const lastSuccess = browser.$('[data-test=sync-last-success]')
    await waitFor(async () => (await lastSuccess.isExisting()) && /\d{4}-\d{2}-\d{2}/.test(await lastSuccess.getText()), 'a last success')
    const waiting = await browser.$('[data-test=sync-waiting]').getText()
    if (!/^0\D/.test(waiting) && waiting !== '0') throw new Error(`shards waiting: ${waiting}`)
    console.log(`     last success ${await lastSuccess.getText()}, waiting: ${waiting}`)
    await screenshot('sync-page')
  }],
]
