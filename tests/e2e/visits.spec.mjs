// Patrol visits end to end, on the demo county the registry spec opened: the due list, a routine
// visit in a few interactions, coverage rising, an urgent visit and its guidance, the high-risk mark,
// following its referral up to 办结, and a visit with a photo.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { browser, monthText, navItem, pickMonth, screenshot, today, waitFor } from './lib.mjs'

/** A due-list row by the elder's name. */
const dueRow = (name) =>
  browser.$(`//tr[contains(@class, "due-row")][.//a[@data-test="due-name"][normalize-space(.)="${name}"]]`)
/** The referral of the urgent visit: 张建国's row with its note (the demo may have referred him before). */
const urgentNote = '突发胸闷，呼吸困难'
const referralRow = () =>
  browser.$(
    `//tr[contains(@class, "referral-row")][.//span[contains(@class, "el-link__inner")][normalize-space(.)="张建国"]][.//td[contains(., "${urgentNote}")]]`,
  )
const referralStatus = async () => (await referralRow().$('[data-test=referral-status]').getText()).trim()
/** A 1×1 PNG to attach to a visit. */
const tinyPng = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
const number = async (selector) => Number((await browser.$(selector).getText()).match(/\d+/)[0])
/** "应访 125 人 · 已访 95 人 · 探访率 76.0%" → 76. */
const coverageRate = async () => Number((await browser.$('[data-test=coverage-rate]').getText()).match(/([\d.]+)%/)[1])

/**
 * Waits for the loading mask to go: fading out, WebDriver counts it as not displayed, yet it
 * still takes clicks.
 */
const waitForLoaded = () => waitFor(async () => !(await browser.$('.el-loading-mask').isExisting()), 'loading to finish')

/** Clicks `element` once scrolled to the middle of its table, where nothing covers it. */
async function clickInView(element) {
  await waitForLoaded()
  await element.scrollIntoView({ block: 'center' })
  await element.click()
}

/** The coverage page on this month (in a month's first days it opens on the month just closed). */
async function openCoverage() {
  await navItem('探访率').click()
  await waitFor(() => browser.$('[data-test=coverage-rate]').isExisting(), 'the coverage page')
  await pickMonth(await browser.$('input[aria-label="月份"]'), monthText(today()))
  await waitForLoaded()
  await waitFor(() => browser.$('[data-test=coverage-rate]').isExisting(), 'the coverage of this month')
  return { rate: await coverageRate(), missed: await browser.$('.missed').getProperty('textContent') }
}

async function openDueList() {
  await navItem('待访清单').click()
  await waitFor(() => browser.$('.due-row').isExisting(), 'due rows')
  await waitForLoaded()
}

/** Waits for the record form of `name` with every area defaulted. */
async function waitForForm(name) {
  const elder = browser.$('[data-test=visit-elder]')
  await waitFor(async () => (await elder.isExisting()) && (await elder.getText()) === name, `the visit form of ${name}`)
  await waitForLoaded()
}

// Carried from step to step.
let before
let overdueBefore
let routineElder

export const steps = [
  ['the due list shows overdue elders, 张建国 among the rows', async () => {
    before = await openCoverage()
    await openDueList()
    overdueBefore = await number('[data-test=due-overdue]')
    if (overdueBefore === 0) throw new Error('no overdue elder in the demo county')
    if (!(await dueRow('张建国').isExisting())) throw new Error('张建国 is not on the due list')
    // The demo visits 张建国 on time, so the routine visit goes to an overdue elder not yet visited this month.
    const overdueNames = await browser.execute(() =>
      [...document.querySelectorAll('.due-overdue [data-test=due-name]')].map((link) => link.textContent.trim()),
    )
    routineElder = overdueNames.find((name) => before.missed.includes(name))
    if (!routineElder) throw new Error('no overdue elder is on this month’s 未访名单')
    console.log(`     overdue ${overdueBefore}, rate ${before.rate}%, routine visit to ${routineElder}`)
    await screenshot('due-list')
  }],
  ['a routine all-normal visit is saved from the due list in a handful of interactions', async () => {
    let interactions = 0
    await clickInView(dueRow(routineElder).$('[data-test=record-visit]'))
    interactions += 1
    await waitForForm(routineElder)
    await screenshot('record-visit')
    await browser.keys(['Control', 'Enter'])
    interactions += 2
    await waitFor(() => browser.$('.el-message--success').isExisting(), 'the saved message')
    // Read from the DOM: while the message fades in, WebDriver counts it as not displayed.
    const message = await browser.$('.el-message--success').getProperty('textContent')
    if (!/已保存，下次应访：\d\d-\d\d/.test(message)) throw new Error(`unexpected message: ${message}`)
    console.log(`routine visit interactions: ${interactions}`)
    if (interactions > 12) throw new Error(`a routine visit took ${interactions} interactions`)
  }],
  ['the visited elder is no longer overdue and the overdue count dropped by one', async () => {
    await waitFor(async () => (await number('[data-test=due-overdue]')) === overdueBefore - 1, 'the overdue count to drop')
    const row = dueRow(routineElder)
    if ((await row.isExisting()) && (await row.getAttribute('class')).includes('due-overdue')) {
      throw new Error(`${routineElder} is still overdue`)
    }
  }],
  ['this month’s coverage rose with the visit', async () => {
    const after = await openCoverage()
    console.log(`     rate ${before.rate}% → ${after.rate}%`)
    if (!(after.rate > before.rate)) throw new Error(`rate did not rise: ${before.rate}% → ${after.rate}%`)
    if (after.missed.includes(routineElder)) throw new Error(`${routineElder} is still on 未访名单`)
    await screenshot('coverage')
  }],
  ['an urgent finding for 张建国 shows the emergency numbers and 张小明’s phone at once', async () => {
    await openDueList()
    await clickInView(dueRow('张建国').$('[data-test=record-visit]'))
    await waitForForm('张建国')
    await clickInView(browser.$('//*[@data-test="area-health"]//span[contains(@class, "el-radio-button__inner")][normalize-space(.)="紧急"]'))
    await browser.$('[data-test=area-health] [data-test=area-note]').setValue(urgentNote)
    // Referred onward too: the referral's note starts as the area's.
    await browser.$('[data-test=area-health] [data-test=area-refer]').click()
    const referralNote = await browser.$('[data-test=referral-health] [data-test=referral-note]').getValue()
    if (referralNote !== urgentNote) throw new Error(`referral note not prefilled: ${referralNote}`)
    await screenshot('record-urgent')
    await browser.$('[data-test=save-visit]').click()
    const guidance = browser.$('[data-test=urgent-guidance]')
    await waitFor(() => guidance.isDisplayed(), 'the urgent guidance')
    const text = await guidance.getText()
    for (const expected of ['紧急情况，请立即处置', '120', '立即联系赡养人', '张小明', '13907971234']) {
      if (!text.includes(expected)) throw new Error(`the urgent guidance lacks ${expected}: ${text}`)
    }
    await screenshot('urgent')
  }],
  ['after acknowledging, 张建国’s page is marked high-risk', async () => {
    await browser.$('[data-test=acknowledge-urgent]').click()
    await waitFor(
      async () => (await dueRow('张建国').isExisting()) && !(await browser.$('[data-test=urgent-guidance]').isDisplayed()),
      'the due list again',
    )
    await waitFor(async () => (await dueRow('张建国').$('.high-risk').isExisting()), '张建国 marked high-risk on the due list')
    await screenshot('due-list-high-risk')
    await clickInView(dueRow('张建国').$('[data-test=due-name]'))
    await waitFor(() => browser.$('[data-test=high-risk]').isExisting(), 'the high-risk tag on 张建国’s page')
    await screenshot('high-risk')
  }],
  ['转介跟踪 shows 张建国’s referral as 待处理, and 开始处理 moves it to 处理中', async () => {
    await navItem('转介跟踪').click()
    await waitFor(() => referralRow().isExisting(), '张建国’s referral')
    await waitForLoaded()
    if ((await referralStatus()) !== '待处理') throw new Error(`the new referral shows ${await referralStatus()}`)
    await clickInView(referralRow().$('[data-test=referral-start]'))
    await waitFor(async () => (await referralRow().isExisting()) && (await referralStatus()) === '处理中', 'the referral 处理中')
    if (await referralRow().$('[data-test=referral-start]').isExisting()) throw new Error('开始处理 is still offered')
    // In progress, it sorts below the open ones.
    await referralRow().scrollIntoView({ block: 'center' })
    await screenshot('referrals')
  }],
  ['办结 after confirming takes the referral off the list, and 含已办结 shows it 已办结 without actions', async () => {
    await clickInView(referralRow().$('[data-test=referral-close]'))
    const confirm = browser.$('.el-message-box__btns .el-button--primary')
    await waitFor(() => confirm.isDisplayed(), 'the 办结 confirmation')
    await confirm.click()
    await waitFor(async () => !(await referralRow().isExisting()), 'the closed referral to leave the list')
    // The confirmation's overlay fades out after the list reloaded, taking clicks meanwhile.
    await waitFor(async () => !(await browser.$('.el-overlay-message-box').isExisting()), 'the confirmation to close')
    await waitForLoaded()
    await browser.$('[data-test=referrals-include-closed]').click()
    await waitFor(async () => (await referralRow().isExisting()) && (await referralStatus()) === '已办结', 'the closed referral')
    await waitForLoaded()
    if (await referralRow().$('button').isExisting()) throw new Error('a closed referral still offers actions')
    await referralRow().scrollIntoView({ block: 'center' })
    await screenshot('referrals-closed')
  }],
  ['a visit to 张建国 with a photo shows its thumbnail and is saved', async () => {
    await clickInView(referralRow().$('.el-link'))
    const record = browser.$('[data-test=record-visit]')
    await waitFor(() => record.isDisplayed(), 'the record button on 张建国’s page')
    await record.click()
    await waitForForm('张建国')
    const file = join(mkdtempSync(join(tmpdir(), 'xianglin-photo-')), '门口.png')
    writeFileSync(file, Buffer.from(tinyPng, 'base64'))
    // Behind 添加照片 the file input is transparent, not display:none, so WebDriver can give it a file.
    await browser.$('[data-test=photo-input]').addValue(file)
    const thumbnail = browser.$('[data-test=photo] img')
    await waitFor(
      async () => (await thumbnail.isExisting()) && (await thumbnail.getProperty('naturalWidth')) === 1,
      'the photo’s thumbnail',
    )
    await screenshot('visit-photo')
    await browser.$('[data-test=save-visit]').click()
    await waitFor(() => browser.$('.el-message--success').isExisting(), 'the saved message')
    await waitFor(() => browser.$('[data-test=elder-name]').isExisting(), 'back on 张建国’s page')
  }],
]
