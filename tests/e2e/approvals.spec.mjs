// The county's approvals (待审批) end to end, as the reviewer the duplicates spec signed in: a
// meal settlement the station submitted is approved and leaves the queue. Signs the station
// director back in for the specs after it (the startup spec measures the director's first page).
import { browser, navItem, screenshot, waitFor } from './lib.mjs'
import { confirmBox, signInAs, successText } from './review.mjs'

const rows = () => browser.$$('[data-test=approvals-settlement]')

export const steps = [
  ['待审批 lists the stations’ submitted settlements; approving one takes it off the queue', async () => {
    await navItem('待审批').click()
    await waitFor(async () => (await rows()).length > 0, 'a submitted settlement')
    const before = (await rows()).length
    const first = (await rows())[0]
    const point = await first.$('[data-test=approvals-point]').getText()
    const month = await first.$('[data-test=approvals-month]').getText()
    await screenshot('approvals')
    await first.$('[data-test=approvals-approve]').click()
    await confirmBox()
    await waitFor(async () => (await rows()).length === before - 1, 'the settlement leaving the queue')
    const message = await successText()
    if (!message.includes(point) || !message.includes(month)) throw new Error(`message "${message}"`)
    console.log(`     ${point} ${month} approved; ${before - 1} left`)
  }],

  ['the station director is signed back in and sees none of the county’s pages', async () => {
    await signInAs('station_director')
    for (const page of ['待审批', '冲突与对账', '异常核查', '查阅记录']) {
      if (await navItem(page).isExisting()) throw new Error(`the director sees ${page}`)
    }
    // Typed in the address bar, a county page sends the director back to the due list.
    await browser.execute(() => {
      window.location.hash = '#/review/conflicts'
    })
    await waitFor(() => browser.$('.due-row').isExisting(), 'the due list instead of 冲突与对账')
    await screenshot('director-menus')
  }],
]
