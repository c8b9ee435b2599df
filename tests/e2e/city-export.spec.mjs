// Data shared upward (数据上报) end to end, as the reviewer the duplicates spec signed in: a JSON
// export of the last three months lands in the export folder, in a zip that 7-Zip opens with the
// password typed in the dialog only, in the documented layout with ID numbers masked; full ID
// numbers are refused without a reason, then written with one, and the log lists both exports
// with who and why.
import { browser, lockWith, lockedZipText, navItem, screenshot, waitFor } from './lib.mjs'

const logRows = () => browser.$$('[data-test=export-log-row]')
const exportedPath = async () => {
  const shown = await browser.$$('[data-test=export-path]')
  return shown.length ? (await shown[0].getText()).trim() : ''
}

export const steps = [
  ['数据上报 writes the county’s JSON with masked ID numbers and logs it', async () => {
    await navItem('数据上报').click()
    await browser.$('[data-test=export-run]').waitForDisplayed({ timeout: 10_000 })
    const before = (await logRows()).length
    await browser.$('[data-test=export-run]').click()
    await lockWith()
    await waitFor(async () => (await exportedPath()).endsWith('.zip'), 'the exported zip')
    const path = await exportedPath()
    const exportDir = process.env.XIANGLIN_EXPORT_DIR
    if (exportDir && !path.startsWith(exportDir)) throw new Error(`${path} is not in ${exportDir}`)
    const data = JSON.parse(lockedZipText(path))
    if (data.layout !== 'xianglin-city-export/1' || data.id_numbers !== 'masked') throw new Error(`layout ${data.layout}, ${data.id_numbers}`)
    if (!data.elders.some((elder) => elder.name === '张建国')) throw new Error('张建国 is not in the export')
    if (!data.elders.every((elder) => elder.id_number.includes('*'))) throw new Error('an ID number is not masked')
    await waitFor(async () => (await logRows()).length === before + 1, 'the export logged')
    console.log(`     ${data.elders.length} elders, ${data.visits.length} visits, ${data.meal_settlements.length} settlements`)
  }],

  ['full ID numbers need a reason, and the log says who exported them and why', async () => {
    const before = (await logRows()).length
    await browser.$('[data-test=export-full-ids]').click()
    await browser.$('[data-test=export-run]').click()
    await waitFor(async () => (await browser.$$('.el-message--warning')).length > 0, 'the reason warning')
    if ((await logRows()).length !== before) throw new Error('exported without a reason')
    // Element's input puts its attributes on the <input> itself.
    await browser.$('[data-test=export-reason]').setValue('市平台身份核验')
    const first = await exportedPath()
    await browser.$('[data-test=export-run]').click()
    await lockWith()
    await waitFor(async () => (await logRows()).length === before + 1, 'the full export logged')
    await waitFor(async () => (await exportedPath()) !== first, 'the second zip')
    const data = JSON.parse(lockedZipText(await exportedPath()))
    if (data.id_numbers !== 'full' || data.elders.some((elder) => elder.id_number.includes('*'))) throw new Error('ID numbers masked')
    const newest = await (await logRows())[0].getText()
    if (!newest.includes('完整') || !newest.includes('市平台身份核验')) throw new Error(`log row "${newest}"`)
    await screenshot('city-export')
  }],
]
