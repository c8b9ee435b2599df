import { describe, expect, it } from 'vitest'
import { localDateTime, monthDay, monthDayTime, monthOf } from './time'

describe('time', () => {
  it('writes a date as local time without a zone, as the backend expects', () => {
    expect(localDateTime(new Date(2026, 0, 5, 9, 3, 7))).toBe('2026-01-05T09:03:07')
    expect(monthOf(new Date(2026, 10, 30, 23, 59))).toBe('2026-11')
  })

  it('shortens a backend time to month-day with or without the minutes', () => {
    expect(monthDay('2026-11-23T09:05:00')).toBe('11-23')
    expect(monthDayTime('2026-11-23T09:05:00')).toBe('11-23 09:05')
  })
})
