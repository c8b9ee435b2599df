// Meal service end to end, on the demo county the registry spec opened (its data is signed in as
// 庄口镇's station director): thirty lunches recorded at 庄口敬老院助餐点 from the keyboard alone
// (interactions and seconds printed), the day's subsidy adding up, a 代办 entered through the
// details panel, the month's settlement printed to a PDF, the township summary, last month's
// submission refused for review to a station director, a correction of a locked month booked as
// an adjustment, the point's form, and an elder found by pinyin initials and enrolled.
//
// The day: the demo records meals up to yesterday, so on a weekday today is empty and is the day.
// On a Saturday or Sunday the point is closed (it serves Monday to Friday) and no later day can
// be recorded, so the spec takes that week's Friday when it is in this month (the months before
// are submitted, so locked): it first unticks the lunches it is about to tick, and checks the
// day's total grew by exactly the lunches ticked. On a weekend at the very start of a month
// (Friday in last month) it opens the point on today's weekday through the point's form; the
// policy pays no subsidy at weekends, so the sums are then zero, and still must agree.
//
// XIANGLIN_E2E_TODAY=YYYY-MM-DD makes the spec choose as if that were today (the app's clock is
// untouched, and the day must not be after the real today): a Saturday tries the Friday path,
// a Sunday the 1st the weekend path, on any day the spec really runs.
import { existsSync } from 'node:fs'
import { browser, lockedPdfText, lockWith, navItem, pickMonth, screenshot, today, waitFor, workingMonth } from './lib.mjs'

const point = '庄口敬老院助餐点'
const lunches = 30

/** An open select's option by its text. */
const option = (text) => browser.$(`//li[contains(@class, "el-select-dropdown__item")][normalize-space(.)="${text}"]`)
const successText = () => browser.$('.el-message--success').getProperty('textContent')
const successMessages = () =>
  browser.execute(() => [...document.querySelectorAll('.el-message--success')].map((message) => message.textContent.trim()))
/** "1,234.56" → 123456 (分), so sums are exact. */
const fen = (text) => Math.round(Number(text.replace(/[^\d.-]/g, '')) * 100)

/** Whether a dialog's overlay shows: after closing it fades out, taking clicks meanwhile. */
const overlayShown = () =>
  browser.execute(() => [...document.querySelectorAll('.el-overlay')].some((overlay) => getComputedStyle(overlay).display !== 'none'))

/** Waits for the loading mask to go: fading out, WebDriver counts it as not displayed, yet it still takes clicks. */
const waitForLoaded = () => waitFor(async () => !(await browser.$('.el-loading-mask').isExisting()), 'loading to finish')

const pad = (number) => String(number).padStart(2, '0')
const dayText = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`

/** The day to record, and how: see the head of this file. */
function chooseDay(now) {
  const weekday = now.getDay()
  if (weekday >= 1 && weekday <= 5) return { date: dayText(now), how: 'today' }
  const friday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (weekday === 6 ? 1 : 2))
  if (friday.getMonth() === now.getMonth()) return { date: dayText(friday), how: 'friday' }
  return { date: dayText(now), how: 'weekend', isoWeekday: weekday === 0 ? 7 : 6 }
}

function specToday() {
  const given = process.env.XIANGLIN_E2E_TODAY
  if (!given) return today()
  const [year, month, date] = given.split('-').map(Number)
  return new Date(year, month - 1, date)
}

/** Each roster line as the grid shows it: name, blocked, lunch ticked or saving, subsidy in 分. */
const rosterLines = () =>
  browser.execute(() =>
    [...document.querySelectorAll('[data-test=meal-row]')].map((row) => {
      const lunch = row.querySelector('.meal-cell[data-slot=lunch]')
      return {
        name: row.querySelector('[data-test=meal-row-name]').textContent.trim(),
        blocked: row.querySelector('[data-test=meal-row-blocked]') !== null,
        ticked: lunch?.classList.contains('ticked') ?? false,
        pending: lunch?.classList.contains('pending') ?? false,
        subsidy: row.querySelector('[data-test=row-subsidy]').textContent.trim(),
      }
    }),
  )
const dayTotal = async () => fen(await browser.$('[data-test=total-subsidy]').getText())
const settled = () => waitFor(async () => !(await browser.$('[data-test=roster-saving]').isExisting()), 'every tick to be saved')

async function chooseRosterPoint() {
  const picker = browser.$('[data-test=meal-point]')
  await waitFor(async () => (await picker.isExisting()) && (await picker.getText()) !== '', 'a meal point')
  if ((await picker.getText()).trim() !== point) {
    await picker.click()
    await waitFor(() => option(point).isDisplayed(), `the option ${point}`)
    await option(point).click()
  }
  await waitFor(async () => (await picker.getText()).trim() === point, `${point} chosen`)
}

async function openRoster() {
  await navItem('助餐登记').click()
  await waitFor(() => browser.$('[data-test=meal-grid]').isExisting(), 'the roster grid')
  await chooseRosterPoint()
  await waitFor(() => browser.$('[data-test=meal-row]').isExisting(), 'roster rows')
  await waitForLoaded()
}

const dateInput = () => browser.$('input[aria-label="就餐日期"]')
const rosterDate = async () => (await dateInput().getValue()).slice(0, 10)

/** Shows `date` in the roster by typing it into the date picker (not counted: the routine day is today). */
async function showDay(date) {
  if ((await rosterDate()) === date) return
  const input = dateInput()
  await input.click()
  await browser.keys(['Control', 'a'])
  await browser.keys('Backspace')
  await input.addValue(date)
  await browser.keys('Enter')
  await waitFor(async () => (await rosterDate()) === date, `the roster of ${date}`)
  // The picker's panel closes on Enter; the grid then has the day.
  await waitFor(async () => !(await browser.$('.el-picker__popper').isDisplayed().catch(() => false)), 'the date panel to close')
  await waitForLoaded()
}

/** "YYYY-MM" of the month `count` months before the day recorded. */
function monthBefore(count) {
  const [year, month] = day.date.split('-').map(Number)
  const date = new Date(year, month - 1 - count, 1)
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}`
}

/** Shows the settlement of `month` ("YYYY-MM") by typing it into the month picker. */
async function showMonth(month) {
  await pickMonth(await browser.$('input[aria-label="结算月份"]'), month)
  await waitForLoaded()
}

// Carried from step to step.
const day = chooseDay(specToday())
let ticked = []
let payable = ''

export const steps = [
  [`助餐登记 opens on ${point}, on the day to record (${day.date})`, async () => {
    if (day.how === 'weekend') {
      // The point opens on today's weekday, through its form.
      await navItem('助餐点与就餐人员').click()
      const row = browser.$(`//tr[contains(@class, "el-table__row")][.//span[@data-test="point-row-name"][normalize-space(.)="${point}"]]`)
      await waitFor(() => row.isExisting(), `${point} in the list`)
      await row.$('[data-test=edit-point]').click()
      const openDay = browser.$(`[data-test=point-open-day-${day.isoWeekday}]`)
      await waitFor(() => openDay.isDisplayed(), 'the point’s form')
      await openDay.click()
      await browser.$('[data-test=save-point]').click()
      await waitFor(async () => (await successText()).includes('助餐点已保存'), 'the point saved')
      await waitFor(async () => !(await overlayShown()), 'the form to close')
      console.log(`     a weekend at the start of the month: ${point} opened on weekday ${day.isoWeekday}`)
    }
    await openRoster()
    await showDay(day.date)
    if (await browser.$('[data-test=roster-locked]').isExisting()) throw new Error('the day is locked')
    if (await browser.$('[data-test=roster-closed]').isExisting()) throw new Error('the point is closed that day')
    const lines = await rosterLines()
    if (lines.filter((line) => !line.blocked).length < lunches) throw new Error(`only ${lines.length} diners at ${point}`)
    if (day.how !== 'friday' && (await browser.$('[data-test=total-meals]').getText()) !== '0') {
      throw new Error(`${day.date} already has meals`)
    }
    console.log(`     ${lines.length} diners on ${day.date} (${day.how}), ${lines.filter((line) => line.blocked).length} blocked`)
  }],
  [`${lunches} lunches are recorded with the keyboard alone, and the day's subsidy is the sum of theirs`, async () => {
    let lines = await rosterLines()
    // The first diners who can eat that day, top down.
    const chosen = lines.flatMap((line, index) => (line.blocked ? [] : [index])).slice(0, lunches)
    const last = chosen[chosen.length - 1]
    const firstLunch = browser.$('[data-test=meal-row] .meal-cell[data-slot=lunch]')

    if (day.how === 'friday') {
      // Untick those lunches first (not counted): the day keeps its other meals.
      await firstLunch.click()
      for (let index = 0; index <= last; index += 1) {
        if (chosen.includes(index) && lines[index].ticked) await browser.keys('Space')
        if (index < last) await browser.keys('ArrowDown')
      }
      await settled()
      await browser.keys('Home')
      lines = await rosterLines()
      if (chosen.some((index) => lines[index].ticked)) throw new Error('a lunch stayed ticked')
    }
    const totalBefore = await dayTotal()
    const sumBefore = chosen.reduce((sum, index) => sum + fen(lines[index].subsidy), 0)

    // The routine day: one click into the grid, then Space and ArrowDown.
    const started = performance.now()
    let clicks = 0
    let presses = 0
    await waitForLoaded()
    await firstLunch.click()
    clicks += 1
    for (let index = 0; index <= last; index += 1) {
      if (chosen.includes(index)) {
        await browser.keys('Space')
        presses += 1
      }
      if (index < last) {
        await browser.keys('ArrowDown')
        presses += 1
      }
    }
    await settled()
    lines = await rosterLines()
    const seconds = (performance.now() - started) / 1000
    console.log(`     ${lunches} lunches: ${clicks + presses} interactions (${clicks} click, ${presses} key presses) in ${seconds.toFixed(1)} s`)

    const notTicked = chosen.filter((index) => !lines[index].ticked || lines[index].pending)
    if (notTicked.length > 0) throw new Error(`lunches not saved for ${notTicked.map((index) => lines[index].name).join('、')}`)
    ticked = chosen.map((index) => lines[index].name)
    const totalAfter = await dayTotal()
    const sumAfter = chosen.reduce((sum, index) => sum + fen(lines[index].subsidy), 0)
    console.log(`     day subsidy ${totalBefore / 100} → ${totalAfter / 100} 元; the ${lunches} lines ${sumBefore / 100} → ${sumAfter / 100} 元`)
    if (totalAfter - totalBefore !== sumAfter - sumBefore) {
      throw new Error(`the day's subsidy grew by ${totalAfter - totalBefore} 分, the lines' by ${sumAfter - sumBefore} 分`)
    }
    if (day.how !== 'friday' && totalAfter !== sumAfter) {
      throw new Error(`the day's subsidy ${totalAfter} 分 is not the lines' sum ${sumAfter} 分`)
    }
    if (day.how !== 'weekend' && sumAfter === 0) throw new Error('no subsidy for 30 weekday lunches')
    if (seconds > 90) throw new Error(`${lunches} lunches took ${seconds.toFixed(1)} s`)
    // The last lunch is the focused cell: its ring shows in the screenshot.
    await screenshot('meal-roster')
  }],
  ['Enter opens the focused lunch’s details, where a 代办 typed is saved with Enter, and the grid has the keyboard again', async () => {
    const focused = browser.$('.meal-cell.focused')
    const name = await browser.$('.meal-row.focused [data-test=meal-row-name]').getText()
    await browser.keys('Enter')
    await waitFor(
      () => browser.execute(() => document.activeElement?.closest('[data-test=meal-panel]') !== null),
      'the details panel to have the keyboard',
    )
    await browser.keys('Tab')
    await waitFor(
      () => browser.execute(() => document.activeElement?.closest('[data-test=panel-proxy]') !== null),
      'the 代办 field',
    )
    await browser.keys([...'黄家儿媳'])
    await browser.keys('Enter')
    await waitFor(() => focused.$('.proxy').isExisting(), `${name}’s lunch marked 代`)
    await settled()
    const gridHasKeyboard = await browser.execute(() => document.activeElement?.getAttribute('data-test') === 'meal-grid')
    if (!gridHasKeyboard) throw new Error('the grid did not get the keyboard back')
    if ((await focused.$('.proxy').getAttribute('title')) !== '黄家儿媳') throw new Error('the 代办 was not saved as typed')
    await screenshot('meal-roster-proxy')
  }],
  [`the month's settlement lists the diners, and prints to a PDF locked with a password, with ${point} and a ticked diner`, async () => {
    await navItem('月度结算').click()
    const status = browser.$('[data-test=settlement-status]')
    await waitFor(() => status.isExisting(), 'the settlement status')
    await waitFor(async () => (await browser.$('[data-test=meal-point]').getText()).trim() === point, `${point} remembered`)
    await waitForLoaded()
    // The settlement opens on the month a director settles then (the month just closed in a
    // month's first days), and says which; the lunches just ticked are in the day's month.
    const opened = await browser.$('input[aria-label="结算月份"]').getValue()
    if (opened.replace(/\D/g, '') !== workingMonth().replace('-', '')) throw new Error(`the settlement opened on ${opened}`)
    const shown = browser.$('[data-test=month-shown]')
    const label = today().getDate() <= 7 ? '上月' : '本月'
    if ((await shown.getText()) !== label) throw new Error(`the settlement says ${await shown.getText()}, not ${label}`)
    console.log(`     opened on ${opened}: ${label}, ${await shown.getAttribute('title')}`)
    await showMonth(day.date.slice(0, 7))
    const names = await browser.execute(() =>
      [...document.querySelectorAll('[data-test=settlement-row-name]')].map((cell) => cell.textContent.trim()),
    )
    const diner = ticked.find((name) => names.includes(name))
    if (!diner) throw new Error('no ticked diner on the statement')
    payable = await browser.$('[data-test=settlement-payable]').getText()
    console.log(`     ${await status.getText()}; ${names.length} diners this month, ${payable} 元 payable`)
    await screenshot('meal-settlement')

    await browser.$('[data-test=print-settlement]').click()
    await lockWith()
    await waitFor(async () => (await successText()).includes('.pdf'), 'the saved message')
    const message = (await successText()).trim()
    const path = message.replace(/^已保存到\s*/, '')
    if (!message.startsWith('已保存到') || !path.endsWith('.pdf')) throw new Error(`unexpected message: ${message}`)
    const exportDir = process.env.XIANGLIN_EXPORT_DIR
    if (exportDir && !path.startsWith(exportDir)) throw new Error(`${path} is not in ${exportDir}`)
    if (!existsSync(path)) throw new Error(`no file at ${path}`)
    const text = lockedPdfText(path)
    for (const expected of [point, diner]) {
      if (!text.includes(expected)) throw new Error(`the statement lacks ${expected}`)
    }
    console.log(`     statement at ${path}`)
  }],
  [`the township summary of 庄口镇 lists ${point} with the statement's payable`, async () => {
    await browser.$('[data-test=settlement-township-tab]').click()
    const row = browser.$(`//tr[@data-test="township-point-row"][td[normalize-space(.)="${point}"]]`)
    await waitFor(() => row.isExisting(), `${point} in the summary`)
    await waitForLoaded()
    const shown = (await row.$('td:nth-child(9)').getProperty('textContent')).trim()
    if (shown !== payable) throw new Error(`the summary shows ${shown} payable, the statement ${payable}`)
    await screenshot('meal-township')
  }],
  ['last month is waiting for the county: 审核通过 is offered, and the backend refuses a station director', async () => {
    await browser.$('[data-test=settlement-point-tab]').click()
    await showMonth(monthBefore(1))
    const status = browser.$('[data-test=settlement-status]')
    await waitFor(async () => (await status.getText()).startsWith('已提交'), 'the submitted status')
    await waitForLoaded()
    await screenshot('meal-settlement-submitted')
    await browser.$('[data-test=approve-settlement]').click()
    const confirm = browser.$('.el-message-box__btns .el-button--primary')
    await waitFor(() => confirm.isDisplayed(), 'the approval confirmation')
    await confirm.click()
    // Read directly: `waitFor` fails on any error message, and this one is expected.
    const refusal = browser.$('.el-message--error')
    await browser.waitUntil(() => refusal.isExisting(), { timeout: 10_000, timeoutMsg: 'no refusal shown' })
    const message = (await refusal.getProperty('textContent')).trim()
    if (message !== '只有县级审核员可以审核结算') throw new Error(`unexpected message: ${message}`)
    if (!(await status.getText()).startsWith('已提交')) throw new Error(`the status changed: ${await status.getText()}`)
    await browser.waitUntil(async () => !(await refusal.isExisting()), { timeout: 15_000, timeoutMsg: 'the refusal stayed' })
  }],
  ['the month before is locked; 登记调整 books a correction of it in this month’s settlement', async () => {
    const locked = monthBefore(2)
    await showMonth(locked)
    const status = browser.$('[data-test=settlement-status]')
    await waitFor(async () => (await status.getText()).startsWith('已审核锁定'), 'the approved status')
    await waitForLoaded()
    await browser.$('[data-test=add-adjustment]').click()
    const elder = browser.$('[data-test=adjustment-elder]')
    await waitFor(() => elder.isDisplayed(), 'the adjustment form')
    await elder.click()
    const first = browser.$('//li[contains(@class, "el-select-dropdown__item")][contains(., "**********")]')
    await waitFor(() => first.isDisplayed(), 'the elders of the statement')
    const name = (await first.getText()).split('　')[0]
    await first.click()
    await browser.$('[data-test=adjustment-reason]').setValue('补登漏记午餐')
    await browser.$('[data-test=adjustment-subsidy]').setValue('8')
    await screenshot('meal-adjustment')
    await browser.$('[data-test=save-adjustment]').click()
    const bookedMessage = async () => (await successMessages()).find((text) => text.includes('已登记调整'))
    await waitFor(bookedMessage, 'the adjustment booked')
    const booked = (await bookedMessage()).match(/计入 (\d{4}-\d{2}) 结算/)?.[1]
    if (booked !== day.date.slice(0, 7)) throw new Error(`the adjustment went to ${booked}`)
    await waitFor(async () => !(await overlayShown()), 'the form to close')

    await showMonth(booked)
    const adjustments = browser.$('[data-test=settlement-adjustments]')
    await waitFor(() => adjustments.isExisting(), 'the adjustments of this month')
    const line = await adjustments.getProperty('textContent')
    if (!line.includes(name) || !line.includes(locked) || !line.includes('8.00')) throw new Error(`unexpected adjustment: ${line}`)
    const payableNow = await browser.$('[data-test=settlement-payable]').getText()
    if (fen(payableNow) !== fen(payable) + 800) throw new Error(`payable ${payable} → ${payableNow}`)
    console.log(`     ${name}: +8.00 元 for ${locked}, booked in ${booked}; payable ${payable} → ${payableNow} 元`)
    await screenshot('meal-settlement-adjusted')
  }],
  [`助餐点与就餐人员 shows ${point}'s diners with masked ID numbers, and its form`, async () => {
    await navItem('助餐点与就餐人员').click()
    await waitFor(() => browser.$('[data-test=diner-row]').isExisting(), 'diner rows')
    await waitForLoaded()
    const idNumber = (await browser.$('[data-test=diner-row] td:nth-child(2)').getProperty('textContent')).trim()
    if (!/^\d{4}\*{10}\d{3}[\dX]$/.test(idNumber)) throw new Error(`ID number not masked: ${idNumber}`)
    await screenshot('meal-points')
    await browser.$('[data-test=edit-point]').click()
    const name = browser.$('[data-test=point-name]')
    await waitFor(async () => (await name.isDisplayed()) && (await name.getValue()) === point, 'the point’s form')
    await screenshot('meal-point-form')
    await browser.keys('Escape')
    await waitFor(async () => !(await overlayShown()), 'the form to close')
  }],
  ['登记就餐 finds elders by pinyin initials and enrolls one who does not eat here yet', async () => {
    const dinerNames = () =>
      browser.execute(() => [...document.querySelectorAll('[data-test=diner-row] td.name')].map((cell) => cell.textContent.trim()))
    const before = await dinerNames()
    await browser.$('[data-test=enroll-diner]').click()
    const picker = browser.$('[data-test=enroll-elder]')
    await waitFor(() => picker.isDisplayed(), 'the enroll form')
    await picker.waitForClickable({ timeout: 10_000 })
    await picker.click()
    await browser.keys([...'zjg'])
    const options = () =>
      browser.execute(() =>
        [...document.querySelectorAll('.el-select-dropdown__item')]
          .filter((item) => item.offsetParent !== null)
          .map((item) => item.textContent.trim()),
      )
    await waitFor(async () => (await options()).some((text) => text.startsWith('张建国')), '张建国 among the options')
    const offered = await options()
    const elder = offered.map((text) => text.split('　')[0]).find((candidate) => !before.includes(candidate))
    if (!elder) throw new Error(`everyone found is enrolled already: ${offered.join(' / ')}`)
    const chosen = browser.$(`//li[contains(@class, "el-select-dropdown__item")][starts-with(normalize-space(.), "${elder}　")]`)
    await chosen.waitForClickable({ timeout: 10_000 })
    await chosen.click()
    await screenshot('meal-enroll')
    await browser.$('[data-test=confirm-enroll]').click()
    await waitFor(async () => (await successText()).includes(`${elder} 已登记在本助餐点就餐`), 'the enrolled message')
    await waitFor(async () => (await dinerNames()).length === before.length + 1, 'one more diner')
    if (!(await dinerNames()).includes(elder)) throw new Error(`${elder} is not among the diners`)
    await waitFor(async () => !(await overlayShown()), 'the enroll form to close')
    console.log(`     enrolled ${elder}; ${before.length + 1} diners`)
  }],
]
