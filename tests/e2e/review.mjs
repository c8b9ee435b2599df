// Shared by the county reviewer's specs: signing someone of the demo county in from
// the header, and Element Plus's message boxes.
import { browser, waitFor } from './lib.mjs'

/** Signs in the demo county's first user of `role` from the header's 身份 picker; returns their name. */
export async function signInAs(role) {
  // A message still showing may lie over the picker.
  await waitFor(async () => (await browser.$$('.el-message')).length === 0, 'messages to fade', 20_000)
  await browser.$('[data-test=demo-user]').click()
  const option = browser.$(`li[data-test=demo-user-${role}]`)
  await option.waitForDisplayed({ timeout: 10_000 })
  const name = (await option.getText()).split(/\s+/)[0]
  await option.click()
  await waitFor(
    async () => (await browser.$('[data-test=demo-user]').getText()).includes(`${name}（`),
    `${name} signed in`,
  )
  return name
}

/** Answers the open message box: types `text` into its input (a prompt), then confirms. */
export async function confirmBox(text) {
  const box = browser.$('.el-message-box')
  await box.waitForDisplayed({ timeout: 10_000 })
  if (text !== undefined) await box.$('input').setValue(text)
  await box.$('.el-message-box__btns .el-button--primary').click()
  await box.waitForDisplayed({ timeout: 10_000, reverse: true })
}

/** The text of the newest success message, read from the DOM (it may still be fading in). */
export async function successText() {
  const messages = await browser.$$('.el-message--success')
  return messages.length ? (await messages[messages.length - 1].getProperty('textContent')).trim() : ''
}
