// The backend's times are local and without a zone: "YYYY-MM-DDTHH:MM:SS".

const pad = (value: number) => String(value).padStart(2, '0')

/** `date` as the backend writes a local time, e.g. "2026-11-23T09:05:00". */
export function localDateTime(date: Date): string {
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
  return `${day}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

/** The month of `date` as "YYYY-MM". */
export const monthOf = (date: Date) => localDateTime(date).slice(0, 7)

/** "2026-11-23T09:05:00" as "11-23". */
export const monthDay = (datetime: string) => datetime.slice(5, 10)

/** "2026-11-23T09:05:00" as "11-23 09:05". */
export const monthDayTime = (datetime: string) => `${monthDay(datetime)} ${datetime.slice(11, 16)}`

/** The month before "YYYY-MM". */
export function previousMonth(month: string): string {
  const year = Number(month.slice(0, 4))
  const number = Number(month.slice(5, 7))
  return number === 1 ? `${year - 1}-12` : `${year}-${pad(number - 1)}`
}

/**
 * The first days of a month in which month pickers open on the month just closed: that is the
 * month a county reviewer, a station director or a caseworker reports on then (its checks, its
 * 月探访率, its meal settlement, its 探访记录表), while the new month holds a few days of data.
 */
export const CLOSING_DAYS = 7

/**
 * The month a month picker opens on, on `today`: the month just closed during the first
 * `CLOSING_DAYS` days of a month, else the current month. `closed` says which of the two.
 */
export function workingMonth(today: Date): { month: string; closed: boolean } {
  const current = monthOf(today)
  return today.getDate() <= CLOSING_DAYS ? { month: previousMonth(current), closed: true } : { month: current, closed: false }
}

/** Whether a month picker should offer `day`'s month: never a month after `today`'s. */
export const afterMonthOf = (today: Date) => (day: Date) => monthOf(day) > monthOf(today)
