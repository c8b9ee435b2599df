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
