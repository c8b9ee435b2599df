// A second, empty computer enrolls with the county server that run.sh started (the real
// xianglin-county binary, holding the demo township) and gets its caseworker's village. The
// caseworker sets their password at enrollment; a visit form they leave for the idle time
// (20 s here, by --idle-lock-seconds) goes under the sign-in and is there, as typed, after it.
// Then, the computer restarted (locked, nothing synced since), a colleague signs in for the
// first time with a code the county has just issued: the app asks the server for it. Last, the
// county reviewer's computer enrolls and its 设备状况 page lists the caseworkers' computer with
// who signed in on it. (The county's update reaches this computer in between: update.spec.)
// Before that, a lost computer of the same village (made by `xianglin-demo old-pc`: enrolled,
// synced, then an elder registered and never sent, and backed up) is replaced by this one: the
// county names it the successor, and 接替旧电脑 takes the elder from the lost PC's backup.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { browser, navItem, retype, screenshot, slow, startApp, waitFor } from './lib.mjs'
import { steps as update } from './update.spec.mjs'

const IDLE_SECONDS = 20

/** 立即同步 on the sync page, waiting for its own 同步完成 (not an earlier one still showing). */
async function syncNow() {
  const synced = () => browser.$('//*[contains(@class, "el-message--success")][contains(., "同步完成")]')
  await navItem('同步').click()
  await waitFor(async () => !(await synced().isExisting()), 'earlier sync messages gone', 10_000)
  await browser.$('[data-test=sync-now]').click()
  await waitFor(() => synced().isExisting(), 'a sync to end', slow)
}
const PASSWORD = 'baisha-2026'
const NOTE = '膝盖疼，下周复查'

export const steps = [
  ['an empty computer enrolls with a one-time code and opens on its due list', async () => {
    await browser.deleteSession()
    await startApp(['--data-dir', process.env.XIANGLIN_SECOND_DATA_DIR, '--idle-lock-seconds', String(IDLE_SECONDS)])
    await browser.$('[data-test=enroll-server]').waitForDisplayed({ timeout: slow })
    await retype('[data-test=enroll-server]', process.env.XIANGLIN_COUNTY_URL)
    await retype('[data-test=enroll-code]', process.env.XIANGLIN_ENROLL_CODE)
    await retype('[data-test=enroll-label]', '白沙村探访员的电脑')
    await retype('[data-test=enroll-password]', PASSWORD)
    await retype('[data-test=enroll-confirm]', PASSWORD)
    await screenshot('enroll-form')
    await browser.$('[data-test=enroll]').click()
    await waitFor(() => browser.$('.due-row').isExisting(), 'the due list of the enrolled caseworker', slow)
    const villages = await browser.execute(() =>
      [...new Set([...document.querySelectorAll('.due-row td:nth-child(3)')].map((cell) => cell.textContent.trim()))],
    )
    if (villages.length !== 1 || villages[0] !== '白沙村委会') throw new Error(`rows from ${villages.join('、')}, not only 白沙村委会`)
    await screenshot('enrolled-due-list')
  }],
  ['a visit form left alone locks after the idle time and is intact after signing in again', async () => {
    const first = await browser.$('.due-row [data-test=record-visit]')
    await first.click()
    await waitFor(() => browser.$('[data-test=area-health]').isExisting(), 'the visit form')
    await browser.$('//*[@data-test="area-health"]//span[contains(@class, "el-radio-button__inner")][normalize-space(.)="关注"]').click()
    await browser.$('[data-test=area-health] [data-test=area-note]').setValue(NOTE)
    // Real clock: how long the lock took, to report.
    const typedAt = performance.now()
    const lock = browser.$('[data-test=lock-screen]')
    await waitFor(() => lock.isExisting(), 'the lock screen', (IDLE_SECONDS + 30) * 1000)
    console.log(`     locked ${Math.round((performance.now() - typedAt) / 1000)} s after the last key`)
    await screenshot('idle-lock')
    await retype('[data-test=lock-screen] [data-test=signin-password]', 'wrong-password')
    await browser.$('[data-test=lock-screen] [data-test=signin-submit]').click()
    await waitFor(() => browser.$('[data-test=signin-error]').isExisting(), 'the wrong password refused')
    const refusal = await browser.execute(() => document.querySelector('[data-test=signin-error]')?.textContent ?? '')
    if (!refusal.includes('密码不正确')) throw new Error(`refusal: ${refusal}`)
    await retype('[data-test=lock-screen] [data-test=signin-password]', PASSWORD)
    await browser.$('[data-test=lock-screen] [data-test=signin-submit]').click()
    await waitFor(async () => !(await lock.isExisting()), 'the lock screen to go')
    const note = await browser.$('[data-test=area-health] [data-test=area-note]').getValue()
    if (note !== NOTE) throw new Error(`the note after signing in again: "${note}"`)
    await browser.$('[data-test=save-visit]').click()
    await waitFor(() => browser.$('.el-message--success').isExisting(), 'the visit saved')
    await screenshot('after-lock-saved')
  }],
  ['the sync page shows the last success and nothing waiting', async () => {
    await navItem('同步').click()
    const lastSuccess = browser.$('[data-test=sync-last-success]')
    await waitFor(async () => (await lastSuccess.isExisting()) && /\d{4}-\d{2}-\d{2}/.test(await lastSuccess.getText()), 'a last success')
    // The visit saved after the lock goes up a few seconds after it was written.
    const nothingWaiting = async () => /^0(\D|$)/.test(await browser.$('[data-test=sync-waiting]').getText())
    await waitFor(nothingWaiting, 'nothing waiting to sync', 60_000)
    const waiting = await browser.$('[data-test=sync-waiting]').getText()
    console.log(`     last success ${await lastSuccess.getText()}, waiting: ${waiting}`)
    await screenshot('sync-page')
  }],
  ...update,
  ['a colleague signs in for the first time with a code the county issued after the last sync', async () => {
    await browser.deleteSession()
    const county = ['--config', process.env.XIANGLIN_COUNTY_CONFIG]
    const issued = execFileSync(process.env.XIANGLIN_COUNTY_BIN, [...county, 'signin-code', '--user', process.env.XIANGLIN_COLLEAGUE], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const code = issued.match(/^sign-in code (\S+)/m)[1]
    await startApp(['--data-dir', process.env.XIANGLIN_SECOND_DATA_DIR])
    const mode = browser.$('[data-test=signin-mode]')
    await mode.waitForDisplayed({ timeout: slow })
    await mode.click()
    await browser.$('[data-test=signin-account]').click()
    const colleague = browser.$('//li[contains(@class, "el-select-dropdown__item")][contains(., "邱*兰")]')
    await colleague.waitForDisplayed({ timeout: 10_000 })
    await colleague.click()
    await retype('[data-test=signin-code]', code.toLowerCase())
    await retype('[data-test=signin-new-password]', 'qiuyulan-2026')
    await retype('[data-test=signin-confirm]', 'qiuyulan-2026')
    await screenshot('first-sign-in-online')
    await browser.$('[data-test=signin-submit]').click()
    await waitFor(() => browser.$('.due-row').isExisting(), 'the colleague signed in, on the due list', slow)
    const who = await browser.execute(() => document.querySelector('[data-test=signed-in]')?.textContent ?? '')
    if (!who.includes('邱玉兰')) throw new Error(`the header names "${who.trim()}", not the colleague who signed in`)
    await screenshot('first-sign-in-online-due-list')
  }],
  ['接替旧电脑: the county names this computer a lost one’s successor; its backup’s unsent elder comes over and goes up', async () => {
    const county = ['--config', process.env.XIANGLIN_COUNTY_CONFIG]
    const run = (binary, args) => execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    const oldCode = run(process.env.XIANGLIN_COUNTY_BIN, [...county, 'code', '--role', 'caseworker', '--places', '360733105201', '--name', '白沙村探访员'])
      .match(/^code (\S+)/m)[1]
    const oldFolder = join(process.env.XIANGLIN_BACKUP_STICK, 'old-pc')
    const lost = JSON.parse(run(process.env.XIANGLIN_DEMO_BIN, ['old-pc', process.env.XIANGLIN_COUNTY_URL, oldCode, oldFolder, 'old-pc-2026']))
    const listed = run(process.env.XIANGLIN_COUNTY_BIN, [...county, 'devices'])
    const self = listed.split('\n').find((line) => line.includes('白沙村探访员的电脑'))?.split('\t')[0]
    if (!self) throw new Error(`this computer is not in the county's list:\n${listed}`)
    const named = run(process.env.XIANGLIN_COUNTY_BIN, [...county, 'successor', lost.device_id, self])
    console.log(`     ${named.split('\n')[0]}`)

    // The next sync tells this computer; 备份与恢复 then offers 接替旧电脑.
    await syncNow()
    await navItem('备份与恢复').click()
    await waitFor(() => browser.$('[data-test=take-over-title]').isExisting(), '接替旧电脑 on the backup page', slow)
    await retype('[data-test=take-over] [data-test=restore-folder]', join(oldFolder, 'backups'))
    await browser.$('[data-test=take-over] [data-test=restore-find]').click()
    await waitFor(() => browser.$('[data-test=take-over] [data-test=restore-password]').isExisting(), 'the lost computer’s backup found')
    await retype('[data-test=take-over] [data-test=restore-password]', 'old-pc-2026')
    await screenshot('take-over-form')
    await browser.$('[data-test=take-over] [data-test=restore-start]').click()
    const message = browser.$('//*[contains(@class, "el-message--success")][contains(., "已导入旧电脑未同步的修改")]')
    await waitFor(() => message.isExisting(), 'the lost computer’s edits taken over', slow)
    await screenshot('take-over-done')

    // Merged here, and up to the county at the next sync: nothing left waiting on this computer.
    await navItem('老人台账').click()
    await waitFor(() => browser.$('.elder-row').isExisting(), 'registry rows', slow)
    await browser.$('[data-test=elder-search]').setValue(lost.name)
    const row = browser.$(`//tr[contains(@class, "elder-row")][contains(., "${lost.name}")]`)
    await waitFor(() => row.isExisting(), 'the lost computer’s elder in the registry')
    await syncNow()
    const nothingWaiting = async () => /^0(\D|$)/.test(await browser.$('[data-test=sync-waiting]').getText())
    await waitFor(nothingWaiting, 'nothing waiting after the taken-over edits went up', 60_000)
    const state = run(process.env.XIANGLIN_COUNTY_BIN, [...county, 'devices']).split('\n')
    const selfRow = state.find((line) => line.startsWith(self)) ?? ''
    if (!selfRow.includes('succeeds 白沙村旧电脑')) throw new Error(`the county's row of this computer: ${selfRow}`)
    console.log(`     the lost computer's elder is here and sent; the county lists: ${selfRow.split('\t').slice(-1)[0]}`)
  }],
  ['the county reviewer’s computer enrolls and 设备状况 lists the village computer and who signed in on it', async () => {
    await browser.deleteSession()
    const county = ['--config', process.env.XIANGLIN_COUNTY_CONFIG]
    const issued = execFileSync(
      process.env.XIANGLIN_COUNTY_BIN,
      [...county, 'code', '--role', 'reviewer', '--places', '360733000000', '--name', '县民政局审核员'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    )
    const code = issued.match(/^code (\S+)/m)[1]
    await startApp(['--data-dir', process.env.XIANGLIN_THIRD_DATA_DIR])
    await browser.$('[data-test=enroll-server]').waitForDisplayed({ timeout: slow })
    await retype('[data-test=enroll-server]', process.env.XIANGLIN_COUNTY_URL)
    await retype('[data-test=enroll-code]', code)
    await retype('[data-test=enroll-label]', '县民政局电脑')
    await retype('[data-test=enroll-password]', 'county-2026')
    await retype('[data-test=enroll-confirm]', 'county-2026')
    // Real clock: how long the reviewer's enrollment and first sync took, to report.
    const startedAt = performance.now()
    await browser.$('[data-test=enroll]').click()
    const devices = navItem('设备状况')
    await waitFor(() => devices.isExisting(), 'the reviewer signed in, with the county pages', slow * 3)
    console.log(`     the reviewer's first sync ended ${Math.round((performance.now() - startedAt) / 1000)} s after 登记`)
    // The reviewer lands on their first page; then the menu's last county item. It is below the
    // window's fold, where WebDriver's click lands on the item scrolled away from: click it in the page.
    await waitFor(() => browser.$('.due-row').isExisting(), 'the reviewer’s landing page, the due list', slow)
    await browser.execute(() =>
      [...document.querySelectorAll('li.el-menu-item')].find((item) => item.textContent.trim() === '设备状况').click(),
    )
    await browser.$('[data-test=fleet]').waitForDisplayed({ timeout: slow })
    const rowCount = () =>
      browser.execute(() => document.querySelectorAll('[data-test=fleet-rows] .el-table__body tr').length)
    await waitFor(async () => (await rowCount()) >= 2, 'the county’s devices listed', slow)
    const village = await browser.execute(() =>
      [...document.querySelectorAll('[data-test=fleet-rows] .el-table__body tr')]
        .map((row) => row.textContent ?? '')
        .find((text) => text.includes('白沙村探访员的电脑')) ?? '',
    )
    // Who synced from it: the caseworker surely; 邱玉兰 if her sign-in's sync ended before the
    // app closed (the county's own test checks the list of people exactly).
    for (const expected of ['白沙村委会', '白沙村探访员', '正常']) {
      if (!village.includes(expected)) throw new Error(`the village computer’s row lacks ${expected}: ${village}`)
    }
    console.log(`     the village computer’s row: ${village.replace(/\s+/g, ' ').trim()}`)
    const silent = await browser.$('[data-test=fleet-silent]').getText()
    if (!silent.includes('没有超期未联系的电脑')) throw new Error(`the silent count says: ${silent}`)
    await screenshot('fleet-health')
  }],
]
