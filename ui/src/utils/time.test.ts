import { describe, expect, it } from 'vitest'
import { clock } from './clock'
import { afterMonthOf, localDateTime, monthDay, monthDayTime, monthOf, previousMonth, workingMonth } from './time'

describe('time', () => {
  it('writes a date as local time without a zone, as the backend expects', () => {
    expect(localDateTime(new Date(2026, 0, 5, 9, 3, 7))).toBe('2026-01-05T09:03:07')
    expect(monthOf(new Date(2026, 10, 30, 23, 59))).toBe('2026-11')
  })

  it('shortens a backend time to month-day with or without the minutes', () => {
    expect(monthDay('2026-11-23T09:05:00')).toBe('11-23')
    expect(monthDayTime('2026-11-23T09:05:00')).toBe('11-23 09:05')
  })

  it('steps back a month across a year', () => {
    expect(previousMonth('2027-01')).toBe('2026-12')
    expect(previousMonth('2028-03')).toBe('2028-02')
    expect(previousMonth('2026-12')).toBe('2026-11')
  })

  // The month pickers open on the month a reviewer reports on: the month just closed in a month's
  // first seven days, the current month after.
  it.each([
    [new Date(2027, 0, 1, 0, 0, 0), '2026-12', true],
    [new Date(2026, 11, 31, 23, 59, 59), '2026-12', false],
    [new Date(2028, 1, 29, 12, 0, 0), '2028-02', false],
    [new Date(2028, 2, 1, 8, 0, 0), '2028-02', true],
    [new Date(2026, 11, 7, 23, 59, 0), '2026-11', true],
    [new Date(2026, 11, 8, 0, 0, 0), '2026-12', false],
    [new Date(2026, 10, 30, 18, 0, 0), '2026-11', false],
  ])('on %s the pickers open on %s (closed: %s)', (today, month, closed) => {
    expect(workingMonth(today)).toEqual({ month, closed })
  })

  it('opens on a month that has begun, on the day the tests run', () => {
    const today = clock.now()
    const { month, closed } = workingMonth(today)
    expect(month <= monthOf(today)).toBe(true)
    expect(closed).toBe(today.getDate() <= 7)
    expect(closed ? month === previousMonth(monthOf(today)) : month === monthOf(today)).toBe(true)
  })

  it('offers no month after today’s in a month picker', () => {
    const after = afterMonthOf(new Date(2026, 11, 31, 23, 59))
    expect(after(new Date(2026, 11, 1))).toBe(false)
    expect(after(new Date(2027, 0, 1))).toBe(true)
  })
})

