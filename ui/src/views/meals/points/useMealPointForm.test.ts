import { describe, expect, it, vi } from 'vitest'
import type { MealPoint } from '@/bindings/MealPoint'
import { saveMealPoint } from '@/api/meals'
import { formOf, formProblems, pointOf, useMealPointForm } from './useMealPointForm'

vi.mock('@/api/meals', () => ({ saveMealPoint: vi.fn() }))

const meta = { created_at: '2025-11-01T10:00:00', created_by: 'director', voided_at: null, voided_by: null, void_reason: null }
const point: MealPoint = {
  id: 'p-1',
  name: '庄口敬老院助餐点',
  kind: 'nursing_home',
  township_code: '360733105000',
  village_code: null,
  prices: { breakfast: 500, lunch: 1200, dinner: 1000 },
  modes: ['dine_in', 'take_away', 'delivery'],
  open_days: [5, 1, 2, 3, 4],
  closures: { '2026-10-01': '国庆放假' },
  meta,
}

describe('the meal point form', () => {
  it('shows a point with prices in 元 and gives the same point back', () => {
    const form = formOf(point)

    expect(form.slots.lunch).toEqual({ served: true, price: '12.00' })
    expect(form.openDays).toEqual([1, 2, 3, 4, 5])
    expect(form.closures).toEqual([{ date: '2026-10-01', reason: '国庆放假' }])
    expect(pointOf(form, point, '360733105000')).toEqual({ ...point, open_days: [1, 2, 3, 4, 5] })
  })

  it('serves only the ticked slots, at the typed prices, and opens on Saturdays when ticked', () => {
    const form = formOf(point)
    form.slots.breakfast.served = false
    form.slots.lunch.price = '10.5'
    form.openDays.push(6)
    form.closures.push({ date: '2026-12-24', reason: ' 厨房维修 ' })

    const saved = pointOf(form, point, '360733105000')
    expect(saved.prices).toEqual({ lunch: 1050, dinner: 1000 })
    expect(saved.open_days).toEqual([1, 2, 3, 4, 5, 6])
    expect(saved.closures).toEqual({ '2026-10-01': '国庆放假', '2026-12-24': '厨房维修' })
  })

  it('lists every problem at once', () => {
    const form = formOf(point)
    form.name = ' '
    form.slots.lunch.price = '12.345'
    form.modes = []
    form.openDays = []
    form.closures.push({ date: '', reason: '停电' })

    expect(formProblems(form)).toEqual([
      '请填写名称',
      '午餐价格应为不小于 0 的数字，最多两位小数',
      '至少提供一种就餐方式',
      '至少选择一个供餐日',
      '停餐日要填写日期',
    ])
    form.slots.breakfast.served = false
    form.slots.lunch.served = false
    form.slots.dinner.served = false
    expect(formProblems(form)).toContain('至少供应一个餐次')
  })

  it('a new point is sent with an empty id in the chosen township, and a refusal keeps the form', async () => {
    vi.mocked(saveMealPoint).mockRejectedValueOnce({ code: 'invalid', message: '所属乡镇不存在' })
    const editor = useMealPointForm()
    editor.start(null)
    editor.form.name = '白沙互助幸福院'

    expect(await editor.save('360733105000')).toBeNull()
    expect(editor.error.value?.message).toBe('所属乡镇不存在')
    expect(editor.form.name).toBe('白沙互助幸福院')
    const sent = vi.mocked(saveMealPoint).mock.calls[0]![0]
    expect(sent).toMatchObject({ id: '', township_code: '360733105000', prices: { lunch: 1000 }, open_days: [1, 2, 3, 4, 5] })
  })

  it('does not ask the backend while the form has problems', async () => {
    vi.mocked(saveMealPoint).mockClear()
    const editor = useMealPointForm()
    editor.start(point)
    editor.form.modes = []

    expect(await editor.save('360733105000')).toBeNull()
    expect(editor.problems.value).toEqual(['至少提供一种就餐方式'])
    expect(saveMealPoint).not.toHaveBeenCalled()
  })
})
