// Elders registered twice (重复登记) end to end, as the county reviewer: the demo's two planted
// pairs are listed with their records; merging the pair with the same ID number puts both
// registrations' visits on the kept elder's page; undoing it (with a reason) brings the pair back.
import { browser, navItem, screenshot, waitFor } from './lib.mjs'
import { confirmBox, signInAs, successText } from './review.mjs'

const pairs = () => browser.$$('[data-test=duplicate-pair]')
const visitsOf = async (side) => Number((await side.$('[data-test=duplicate-records]').getText()).match(/探访 (\d+) 次/)[1])

let kept = ''
let expectedVisits = 0

export const steps = [
  ['the reviewer signs in from the header and 重复登记 lists the demo’s two planted pairs', async () => {
    const name = await signInAs('county_reviewer')
    console.log(`     signed in as ${name}`)
    await navItem('重复登记').click()
    await waitFor(async () => (await pairs()).length === 2, 'two suspected pairs')
    await screenshot('duplicates')
  }],

  ['merging the same-ID pair puts both registrations’ visits on the kept elder’s page', async () => {
    let pair
    for (const each of await pairs()) if ((await each.getAttribute('data-score')) === '100') pair = each
    if (!pair) throw new Error('no pair with the same ID number')
    kept = await pair.getAttribute('data-first')
    const sides = await pair.$$('[data-test=duplicate-side]')
    expectedVisits = (await visitsOf(sides[0])) + (await visitsOf(sides[1]))
    await pair.$('[data-test=duplicate-merge]').click()
    await confirmBox('两村各登记一次，核实为同一人')
    await waitFor(async () => (await pairs()).length === 1, 'one pair left')
    if (!(await successText()).includes('已合并')) throw new Error(`message "${await successText()}"`)
    await waitFor(async () => (await browser.$$('[data-test=duplicate-decision]')).length === 1, 'the decision listed')
    await screenshot('duplicates-merged')

    await browser.execute((id) => {
      window.location.hash = `#/elders/${id}`
    }, kept)
    await browser.$('[data-test=elder-merged-from]').waitForDisplayed({ timeout: 10_000 })
    const rows = async () => (await browser.$$('[data-test=elder-visits] .el-table__body tr')).length
    await waitFor(async () => (await rows()) === Math.min(expectedVisits, 20), `${expectedVisits} visits on the kept elder`)
    console.log(`     ${expectedVisits} visits under one elder`)
    await screenshot('elder-merged')
  }],

  ['undoing the merge needs a reason and brings the pair back', async () => {
    await navItem('重复登记').click()
    await waitFor(async () => (await browser.$$('[data-test=duplicate-undo]')).length === 1, 'the undo button')
    await browser.$('[data-test=duplicate-undo]').click()
    await confirmBox('核实后撤销')
    await waitFor(async () => (await pairs()).length === 2, 'both pairs again')
    const decision = await browser.$('[data-test=duplicate-decision]').getText()
    if (!decision.includes('撤销：核实后撤销')) throw new Error(`decision row "${decision}"`)
  }],
]
