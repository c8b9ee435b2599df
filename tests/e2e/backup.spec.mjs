// Backups: the station director's PC made its day's backup at sign-in; 备份与恢复 lists it, and
// 立即备份 makes another, copied onto a "USB stick" (a folder run.sh made). Then an empty computer
// finds that backup on the stick from its welcome page, restores it with the director's
// password, and opens on the director's due list as the same device.
import { readdirSync } from 'node:fs'
import { browser, navItem, retype, screenshot, slow, startApp, waitFor } from './lib.mjs'

const reasons = () =>
  browser.execute(() => [...document.querySelectorAll('[data-test=backup-reason]')].map((tag) => tag.textContent.trim()))
const device = () => browser.execute(() => document.querySelector('.device')?.textContent.trim() ?? '')

let deviceBefore = ''

export const steps = [
  ['备份与恢复 lists the day\'s automatic backup; 立即备份 adds one and copies it onto the stick', async () => {
    deviceBefore = await device()
    if (!deviceBefore) throw new Error('no device id in the header')
    await navItem('备份与恢复').click()
    // The day's backup runs in the background after the first sign-in of the run.
    await waitFor(async () => (await reasons()).includes('每日自动'), 'the automatic backup of the day', slow)
    const stick = process.env.XIANGLIN_BACKUP_STICK
    await retype('[data-test=backup-copy-to]', stick)
    await browser.$('[data-test=backup-now]').click()
    await waitFor(async () => (await reasons()).includes('手动'), 'the backup made by hand', slow)
    const copied = readdirSync(stick).filter((name) => name.endsWith('-manual.xlbak'))
    if (copied.length !== 1) throw new Error(`the stick holds ${copied.join(', ') || 'no backup'}`)
    const folder = await browser.$('[data-test=backup-folder]').getText()
    console.log(`     ${(await reasons()).join('、')}; copied to the stick as ${copied[0]}; ${folder}`)
    await screenshot('backups')
  }],
  ['an empty computer restores the backup from the stick with the director\'s password and opens on the due list', async () => {
    await browser.deleteSession()
    await startApp(['--data-dir', process.env.XIANGLIN_RESTORE_DATA_DIR])
    await browser.$('[data-test=restore-open]').waitForDisplayed({ timeout: slow })
    await browser.$('[data-test=restore-open] .el-collapse-item__header').click()
    await retype('[data-test=restore-folder]', process.env.XIANGLIN_BACKUP_STICK)
    await browser.$('[data-test=restore-find]').click()
    await waitFor(() => browser.$('[data-test=restore-account]').isExisting(), 'the backup found on the stick')
    await browser.$('[data-test=restore-account]').click()
    const director = browser.$('//li[contains(@class, "el-select-dropdown__item")][contains(., "站长")]')
    await waitFor(() => director.isDisplayed(), "the director's account among the backup's")
    await director.click()
    await retype('[data-test=restore-password]', 'xianglin-demo')
    await screenshot('restore-form')
    await browser.$('[data-test=restore-start]').click()
    await waitFor(() => browser.$('.due-row').isExisting(), 'the due list after the restore', slow)
    // The same computer as far as its data goes: the same device, and the director signed in.
    await waitFor(async () => (await device()) === deviceBefore, `the header's ${deviceBefore} after the restore`)
    const rows = await browser.execute(() => document.querySelectorAll('.due-row').length)
    console.log(`     restored as ${deviceBefore}; ${rows} due rows`)
    await screenshot('restored-due-list')
  }],
]
