import type { MealPoint } from '@/bindings/MealPoint'
import { enumLabel, i18n } from '@/locales'
import { yuan } from '../money'
import { allSlots } from './useMealPointForm'

// How the list of points words a point's slots, modes and open days.

/** "早餐 5.00 · 午餐 12.00 · 晚餐 10.00", in the order of the day. */
export const slotsText = (point: MealPoint) =>
  allSlots
    .flatMap((slot) => {
      const price = point.prices[slot]
      return price === undefined ? [] : [`${enumLabel('meal_slot', slot)} ${yuan(price)}`]
    })
    .join(' · ')

/** "堂食、自取、送餐". */
export const modesText = (point: MealPoint) => point.modes.map((mode) => enumLabel('meal_mode', mode)).join('、')

/** 周一至周五, 每天, or the days with runs of three or more shortened: 周一至五、日, 周一、三、五. */
export function openDaysText(point: MealPoint) {
  const t = i18n.global.t
  const days = [...new Set(point.open_days)].sort((a, b) => a - b)
  if (days.join() === '1,2,3,4,5') return t('meals.points.everyWeekday')
  if (days.length === 7) return t('meals.points.everyDay')
  const runs: number[][] = []
  for (const day of days) {
    const run = runs[runs.length - 1]
    if (run && run[run.length - 1] === day - 1) run.push(day)
    else runs.push([day])
  }
  const name = (day: number) => t(`meals.weekday.${day}`)
  const parts = runs.flatMap((run) =>
    run.length >= 3 ? [t('meals.points.dayRange', { from: name(run[0]!), to: name(run[run.length - 1]!) })] : run.map(name),
  )
  return t('meals.points.week', { days: parts.join('、') })
}
