// Writing the registry end to end, on the demo county the registry spec opened: adding an elder,
// the duplicate caught when the same ID number is entered again, a village's printed visit
// register, and the roster exported locked with a password and opened again by the import page.
import { existsSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { browser, lockedPdfText, lockWith, navItem, retype, screenshot, waitFor } from './lib.mjs'
import { confirmBox, signInAs } from './review.mjs'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
/** A valid ID number (GB 11643): area code, birth date, sequence, ISO 7064 MOD 11-2 check character. */
function idNumber(area, birthDate, sequence) {
  const first17 = `${area}${birthDate}${sequence}`
  const sum = [...first17].reduce((total, digit, index) => total + Number(digit) * WEIGHTS[index], 0)
  return `${first17}${'10X98765432'[sum % 11]}`
}

const newIdNumber = idNumber('360733', '19480615', '123')
const village = '庄口居委会'
const firstName = '林秀兰'
const secondName = '林秀英'

/** A registry row showing `name`. */
const elderRow = (name) => browser.$(`//tr[contains(@class, "elder-row")][contains(., "${name}")]`)
/** The text of the newest success message, read from the DOM (it may still be fading in). */
const successText = async () => {
  const messages = await browser.$$('.el-message--success')
  return messages.length ? messages[messages.length - 1].getProperty('textContent') : ''
}

async function openRegistry() {
  await navItem('老人台账').click()
  await waitFor(() => browser.$('[data-test=add-elder]').isDisplayed(), 'the registry')
}

/** `text` as a Chinese input method in full-width mode types it: ０–９, Ｘ. */
const fullWidth = (text) => text.replace(/[0-9A-Za-z]/g, (character) => String.fromCharCode(character.charCodeAt(0) + 0xfee0))

/**
 * Opens the add form and fills in one elder of `village`, living alone, with a supporter; the ID
 * number as `typed`.
 */
async function fillNewElder(name, typed = newIdNumber) {
  await browser.$('[data-test=add-elder]').click()
  await waitFor(() => browser.$('[data-test=form-name]').isDisplayed(), 'the add-elder form')
  await browser.$('[data-test=form-name]').setValue(name)
  await browser.$('[data-test=form-id-number]').setValue(typed)
  await browser.$('[data-test=form-phone]').setValue(fullWidth('13907970088'))
  await browser.$('[data-test=form-village]').click()
  const option = browser.$(`//li[contains(@class, "el-select-dropdown__item")][normalize-space(.)="${village}"]`)
  await waitFor(() => option.isDisplayed(), `the option ${village}`)
  await option.click()
  await browser.$('[data-test=form-address]').setValue('庄口镇上街 12 号')
  await browser.$('[data-test=category-living_alone]').click()
  await browser.$('[data-test=add-contact]').click()
  const [contactName, relation, phone] = await browser.$$('[data-test=contact] input')
  await contactName.setValue('林建华')
  await relation.setValue('儿子')
  await phone.setValue('13907970099')
}

export const steps = [
  ['a new elder with a valid ID number typed full-width is saved and shown on their page', async () => {
    await openRegistry()
    // Typed with a Chinese input method in full-width mode, an ideographic space after it.
    await fillNewElder(firstName, `${fullWidth(newIdNumber)}\u3000`)
    await browser.$('[data-test=form-phone]').click()
    const problem = browser.$('//*[@data-test="form-id-number"]/ancestor::*[contains(@class, "el-form-item")]//*[contains(@class, "el-form-item__error")]')
    if (await problem.isExisting()) throw new Error(`the form refused the full-width number: ${await problem.getText()}`)
    await screenshot('add-elder')
    await browser.$('[data-test=save-elder]').click()
    const name = browser.$('[data-test=elder-name]')
    await waitFor(async () => (await name.isExisting()) && (await name.getText()) === firstName, `the page of ${firstName}`)
    const shown = await browser.$('[data-test=elder-id-number]').getText()
    if (shown !== `${newIdNumber.slice(0, 4)}**********${newIdNumber.slice(14)}`) throw new Error(`unexpected ID number ${shown}`)
    const history = browser.$('[data-test=elder-history]')
    await waitFor(async () => (await history.getText()).includes('新建记录'), 'the history to show 新建记录')
    await history.scrollIntoView()
    await screenshot('added-elder')
  }],
  ['the same ID number entered again shows the first elder as a possible duplicate, and cancelling saves nothing', async () => {
    await openRegistry()
    await fillNewElder(secondName)
    await browser.$('[data-test=save-elder]').click()
    const dialog = browser.$('.el-dialog[data-test=duplicates]')
    await waitFor(() => dialog.isDisplayed(), 'the duplicates dialog')
    // Read from the DOM: while the dialog fades in, WebDriver counts its text as not displayed.
    const text = await dialog.getProperty('textContent')
    for (const expected of [firstName, '1948-06-15', village, '身份证号与']) {
      if (!text.includes(expected)) throw new Error(`the duplicates dialog lacks ${expected}: ${text}`)
    }
    await screenshot('duplicates')
    await browser.$('[data-test=cancel-duplicates]').click()
    await waitFor(async () => !(await dialog.isDisplayed()), 'the dialog to close')
    if ((await browser.$('[data-test=form-name]').getValue()) !== secondName) throw new Error('the form lost its input')

    await openRegistry()
    const total = browser.$('.el-pagination__total')
    const before = await total.getText()
    // The kept-alive registry still holds the registry spec's search, which setValue would append to.
    await browser.$('[data-test=elder-search]').click()
    await browser.keys(['Control', 'a'])
    await browser.keys(['Backspace'])
    await browser.$('[data-test=elder-search]').addValue('林秀')
    await waitFor(async () => (await total.getText()) !== before && (await elderRow(firstName).isExisting()), 'the search for 林秀')
    if (await elderRow(secondName).isExisting()) throw new Error(`${secondName} was saved`)
  }],
  [`printing ${village}’s visit register writes a PDF locked with a password, with its title and 张建国`, async () => {
    await browser.$(`//div[contains(@class, "el-tree-node__content")]//span[normalize-space(.)="${village}"]`).click()
    const print = browser.$('[data-test=print-register]')
    await waitFor(() => print.isDisplayed(), 'the print button')
    await print.click()
    await lockWith()
    await waitFor(async () => (await successText()).includes('.pdf'), 'the saved message')
    const message = (await successText()).trim()
    const path = message.replace(/^已保存到\s*/, '')
    if (!message.startsWith('已保存到') || !path.endsWith('.pdf')) throw new Error(`unexpected message: ${message}`)
    const exportDir = process.env.XIANGLIN_EXPORT_DIR
    if (exportDir && !path.startsWith(exportDir)) throw new Error(`${path} is not in ${exportDir}`)
    if (!existsSync(path)) throw new Error(`no file at ${path}`)
    const text = lockedPdfText(path)
    for (const expected of [`${village}特殊困难老年人探访记录表`, '张建国']) {
      if (!text.includes(expected)) throw new Error(`the register lacks ${expected}`)
    }
    console.log(`     register at ${path}`)
    await screenshot('print-register')
  }],
  [`editing ${firstName}’s phone shows in her history, her full ID number loaded for the form`, async () => {
    await elderRow(firstName).$('td').click()
    await waitFor(() => browser.$('[data-test=edit-elder]').isDisplayed(), `the page of ${firstName}`)
    await browser.$('[data-test=edit-elder]').click()
    const name = browser.$('[data-test=form-name]')
    await waitFor(async () => (await name.isDisplayed()) && (await name.getValue()) === firstName, 'the edit form')
    if ((await browser.$('[data-test=form-id-number]').getValue()) !== newIdNumber) {
      throw new Error('the edit form should hold the full ID number')
    }
    await browser.$('[data-test=form-phone]').click()
    await browser.keys(['Control', 'a'])
    await browser.keys(['Backspace'])
    await browser.$('[data-test=form-phone]').addValue('13907970077')
    await browser.$('[data-test=save-elder]').click()
    const history = browser.$('[data-test=elder-history]')
    await waitFor(
      async () => (await history.isExisting()) && (await history.getText()).includes('修改了 联系电话'),
      'the history to show 修改了 联系电话',
    )
  }],
  [`marking ${firstName} moved keeps her record, now 迁出`, async () => {
    // The page reloads after the edit; its loading mask would take the click.
    await waitFor(async () => !(await browser.$('.el-loading-mask').isDisplayed()), 'loading to finish')
    await browser.$('[data-test=mark-life-open]').click()
    const dialog = browser.$('.el-dialog[data-test=mark-life]')
    await waitFor(() => dialog.isDisplayed(), 'the 标记迁出/去世 dialog')
    await dialog.$('input[maxlength="100"]').setValue('南昌市东湖区')
    await screenshot('mark-life')
    await browser.$('[data-test=confirm-life]').click()
    const basics = browser.$('.el-descriptions')
    await waitFor(async () => (await basics.getText()).includes('迁往 南昌市东湖区'), 'the page to show 迁出')
    await screenshot('marked-moved')
  }],
  [`showing ${firstName}’s full ID number asks why, and 查阅记录 lists that view and the edit`, async () => {
    await waitFor(async () => !(await browser.$('.el-loading-mask').isDisplayed()), 'loading to finish')
    await browser.$('[data-test=reveal-id-number]').click()
    await confirmBox('核对迁出材料')
    const shown = browser.$('[data-test=elder-id-number]')
    await waitFor(async () => (await shown.getText()) === newIdNumber, 'the full ID number')
    // Read from the DOM: the card's table renders again when its rows arrive.
    const accessText = () => browser.execute(() => document.querySelector('[data-test=elder-access]')?.textContent ?? '')
    await waitFor(async () => {
      const text = await accessText()
      return text.includes('查看完整身份证号') && text.includes('核对迁出材料') && text.includes('打开完整档案编辑')
    }, 'the access records of the reveal and the edit')
    await browser.$('[data-test=elder-access]').scrollIntoView()
    await screenshot('elder-access')
    await browser.$('[data-test=hide-id-number]').click()
    await waitFor(async () => (await shown.getText()).includes('**********'), 'the number masked again')
  }],
  ['the county reviewer finds the view in 查阅记录 and narrows it to the director', async () => {
    // The picker reads 身份 followed by 谢丽华（站长）.
    const director = (await browser.$('[data-test=demo-user]').getText()).split('（')[0].replace(/^身份\s*/, '')
    await signInAs('county_reviewer')
    await navItem('查阅记录').click()
    // Read from the DOM: the table renders again when its rows arrive.
    const rowText = () =>
      browser.execute(
        () => [...document.querySelectorAll('[data-test=access-rows] tr')].find((tr) => tr.textContent?.includes('核对迁出材料'))?.textContent ?? '',
      )
    await waitFor(async () => (await rowText()) !== '', 'the reveal in the list')
    const text = await rowText()
    for (const expected of [firstName, director, '查看完整身份证号', `${newIdNumber.slice(0, 4)}**********`]) {
      if (!text.includes(expected)) throw new Error(`the row lacks ${expected}: ${text}`)
    }
    if (text.includes(newIdNumber)) throw new Error('the list shows a full ID number')
    await browser.$(`//*[@data-test="access-rows"]//tr[contains(., "核对迁出材料")]//*[@data-test="access-user"]`).click()
    await waitFor(() => browser.$('[data-test=access-only-user]').isDisplayed(), 'the filter by user')
    await screenshot('access-log')
    await signInAs('station_director')
  }],
  ['the roster exports locked with a password, and the import page opens it with that password', async () => {
    await openRegistry()
    await browser.$('[data-test=export-registry]').click()
    await waitFor(() => browser.$('[data-test=file-password-input]').isDisplayed(), 'the file password dialog')
    await retype('[data-test=file-password-input]', 'short')
    await retype('[data-test=file-password-confirm]', 'short')
    await browser.$('[data-test=file-password-submit]').click()
    await waitFor(async () => (await browser.$('[data-test=file-password] .el-alert').getText()).includes('至少'), 'the length rule')
    await screenshot('export-password')
    const password = '台账密码2026'
    await lockWith(password)
    await waitFor(async () => (await successText()).includes('.xlsx'), 'the saved message')
    const path = (await successText()).replace(/^已保存到\s*/, '')
    const locked = readFileSync(path)
    // A compound file (Office's encrypted package), not a zip: no name or ID number in clear.
    if (locked.subarray(0, 4).toString('hex') !== 'd0cf11e0') throw new Error(`${path} is not locked`)
    console.log(`     locked roster at ${path} (${locked.length} bytes)`)

    await browser.$('[data-test=open-import]').click()
    await waitFor(() => browser.$('[data-test=import-roster]').isDisplayed(), 'the import page')
    if (await browser.$('[data-test=import-roster]').isEnabled()) throw new Error('import is enabled without a file')
    // The file picker is the system's dialog; the page is handed the file as a picked one.
    await browser.execute(
      (base64, name) => {
        const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0))
        const transfer = new DataTransfer()
        transfer.items.add(new File([bytes], name))
        const input = document.querySelector('[data-test=roster-file]')
        input.files = transfer.files
        input.dispatchEvent(new Event('change'))
      },
      locked.toString('base64'),
      basename(path),
    )
    await waitFor(() => browser.$('[data-test=roster-password-input]').isDisplayed(), 'the password of the locked file')
    await retype('[data-test=roster-password-input]', '台账密码2025')
    await browser.$('[data-test=roster-password-submit]').click()
    // Read directly: `waitFor` fails on any error message, and this one is expected.
    const refusal = browser.$('.el-message--error')
    await browser.waitUntil(() => refusal.isExisting(), { timeout: 30_000, timeoutMsg: 'no wrong password message' })
    const message = (await refusal.getProperty('textContent')).trim()
    if (!message.includes('密码')) throw new Error(`unexpected message: ${message}`)
    if (await browser.$('.counts').isExisting()) throw new Error('a wrong password checked the rows')
    await browser.waitUntil(async () => !(await refusal.isExisting()), { timeout: 15_000, timeoutMsg: 'the message stays' })
    await retype('[data-test=roster-password-input]', password)
    await browser.$('[data-test=roster-password-submit]').click()
    await waitFor(() => browser.$('.counts').isDisplayed(), 'the checked rows')
    const counts = await browser.$('.counts').getText()
    console.log(`     checked: ${counts}`)
    const unchanged = Number(/无变化 (\d+)/.exec(counts)?.[1] ?? 0)
    if (unchanged === 0) throw new Error(`the exported roster does not check as the registry: ${counts}`)
    await screenshot('import-check')
  }],
]
