import { describe, expect, it } from 'vitest'
import { caseDetailAt, eventRow } from './caseDetailFixture'
import { stepActions, stepViews } from './stepProgress'

describe('stepViews', () => {
  it('shows the ten steps: those passed done, the current one current, the rest not reached', () => {
    const detail = caseDetailAt('county_review', {
      timeline: [eventRow('application', 'done', 3), eventRow('township_review', 'done', 5, '材料齐全')],
    })
    const views = stepViews(detail)
    expect(views).toHaveLength(10)
    expect(views.map((view) => view.state)).toEqual([
      'done',
      'done',
      'current',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ])
    expect(views[1]?.last?.event.notes).toBe('材料齐全')
  })

  it('marks the step that returned the case, and leaves out events that did not apply', () => {
    const detail = caseDetailAt('township_review', {
      timeline: [
        eventRow('application', 'done', 3),
        eventRow('township_review', 'done', 5),
        eventRow('county_review', 'returned', 8, '困难证明不清晰'),
        eventRow('plan', 'done', 9, '', false),
      ],
    })
    const views = stepViews(detail)
    expect(views.slice(0, 5).map((view) => view.state)).toEqual(['done', 'current', 'returned', 'pending', 'pending'])
    expect(views[2]?.last?.event.notes).toBe('困难证明不清晰')
    expect(views[4]?.last).toBeNull()
  })

  it('shows every step done once archived', () => {
    const detail = caseDetailAt('archived', { progress: { step: 'archived', archived: true, since: '', returned_reason: null, ignored: [] } })
    expect(stepViews(detail).every((view) => view.state === 'done')).toBe(true)
  })
})

describe('stepActions', () => {
  it('offers a station director 办理完成 and 退回 at a township step with nothing missing', () => {
    expect(stepActions(caseDetailAt('township_review'), 'station_director')).toEqual({
      step: 'township_review',
      allowed: true,
      canFinish: true,
      canReturn: true,
      countyStep: false,
    })
  })

  it('waits with 办理完成 while the step still needs something', () => {
    const actions = stepActions(caseDetailAt('plan', { missing: ['改造方案尚未经老人签字确认'] }), 'station_director')
    expect([actions.canFinish, actions.canReturn]).toEqual([false, true])
  })

  it('never returns the first step', () => {
    expect(stepActions(caseDetailAt('application'), 'station_director').canReturn).toBe(false)
  })

  it('leaves the county’s steps to a county reviewer; a computer not enrolled is offered them and the backend decides', () => {
    const atCounty = caseDetailAt('county_review')
    expect(stepActions(atCounty, 'station_director')).toMatchObject({ allowed: false, canFinish: false, canReturn: false, countyStep: true })
    expect(stepActions(atCounty, 'county_reviewer')).toMatchObject({ allowed: true, canFinish: true, countyStep: false })
    expect(stepActions(atCounty, null)).toMatchObject({ allowed: true, canFinish: true })
  })

  it('offers a caseworker nothing, and an archived case nothing to anyone', () => {
    expect(stepActions(caseDetailAt('plan'), 'caseworker')).toMatchObject({ allowed: false, canFinish: false, canReturn: false })
    const archived = caseDetailAt('archived', { progress: { step: 'archived', archived: true, since: '', returned_reason: null, ignored: [] } })
    expect(stepActions(archived, null)).toMatchObject({ step: null, canFinish: false, canReturn: false })
  })
})
