// Conflicting edits (冲突与对账) end to end, as the county reviewer, on the demo county the registry spec opened: the demo
// holds two fields that two computers changed before either synced (a caseworker's and the
// director's). The page lists both with who wrote each value and when; picking the value not
// shown resolves that one, the other stays; the elder's page then shows the picked value.
import { browser, navItem, screenshot, waitFor } from './lib.mjs'
import { signInAs, successText } from './review.mjs'

const cards = () => browser.$$('[data-test=conflict]')

let picked = ''

export const steps = [
  ['the county reviewer signs in (the station director has no county pages)', async () => {
    await signInAs('county_reviewer')
  }],
  ['冲突与对账 lists the demo’s two conflicting edits, each value with who wrote it and when', async () => {
    await navItem('冲突与对账').click()
    await waitFor(async () => (await cards()).length === 2, 'two conflicts')
    const fields = []
    for (const card of await cards()) {
      fields.push(await card.$('[data-test=conflict-field]').getText())
      const texts = []
      for (const value of await card.$$('[data-test=conflict-value]')) texts.push(await value.getText())
      if (texts.length !== 2) throw new Error(`${texts.length} values`)
      if (!texts.every((text) => /设备 [0-9a-f]{8} · \d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(text))) throw new Error(`values ${texts}`)
      if (new Set(texts.map((text) => text.split('\n').pop().split(' · ')[0])).size !== 2) throw new Error(`one writer: ${texts}`)
    }
    if (!fields.includes('电话') || !fields.includes('住址')) throw new Error(`fields ${fields}`)
    console.log(`     ${fields.join(', ')}`)
    await screenshot('conflicts')
  }],

  ['picking the value not shown resolves that conflict, the other stays, and the elder’s page shows it', async () => {
    let phoneCard
    for (const each of await cards()) {
      if ((await each.$('[data-test=conflict-field]').getText()) === '电话') phoneCard = each
    }
    const values = await phoneCard.$$('[data-test=conflict-value]')
    const other = values[1]
    picked = (await other.$('.display').getText()).trim()
    const elder = (await phoneCard.$('.name').getText()).trim()
    const elderId = await phoneCard.getAttribute('data-elder')
    await other.click()
    await phoneCard.$('[data-test=conflict-resolve]').click()
    await waitFor(async () => (await cards()).length === 1, 'one conflict left')
    const message = await successText()
    if (!message.includes(picked)) throw new Error(`message "${message}"`)
    const left = await (await cards())[0].$('[data-test=conflict-field]').getText()
    if (left !== '住址') throw new Error(`left ${left}`)
    console.log(`     ${elder}: 电话 → ${picked}`)
    await screenshot('conflicts-resolved')

    await browser.execute((id) => {
      window.location.hash = `#/elders/${id}`
    }, elderId)
    await waitFor(async () => (await browser.$('body').getText()).includes(picked), `the elder's page showing ${picked}`)
  }],
]
