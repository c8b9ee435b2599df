import { describe, expect, it } from 'vitest'
import type { MealPoint } from '@/bindings/MealPoint'
import { modesText, openDaysText, slotsText } from './pointSummary'

const point = (extra: Partial<MealPoint>) =>
  ({ prices: { lunch: 1000 }, modes: ['dine_in'], open_days: [1, 2, 3, 4, 5], ...extra }) as MealPoint

describe('how the list words a point', () => {
  it('lists the slots in the order of the day with their prices in 元', () => {
    expect(slotsText(point({ prices: { dinner: 1000, breakfast: 500, lunch: 1200 } }))).toBe('早餐 5.00 · 午餐 12.00 · 晚餐 10.00')
    expect(modesText(point({ modes: ['dine_in', 'delivery'] }))).toBe('堂食、送餐')
  })

  it('words the open days shortly', () => {
    expect(openDaysText(point({ open_days: [1, 2, 3, 4, 5] }))).toBe('周一至周五')
    expect(openDaysText(point({ open_days: [7, 1, 2, 3, 4, 5, 6] }))).toBe('每天')
    expect(openDaysText(point({ open_days: [1, 2, 3, 4, 5, 7] }))).toBe('周一至五、日')
    expect(openDaysText(point({ open_days: [1, 3, 5] }))).toBe('周一、三、五')
    expect(openDaysText(point({ open_days: [6, 7] }))).toBe('周六、日')
  })
})
