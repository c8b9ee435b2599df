import { describe, expect, it, vi } from 'vitest'
import type { MealAdjustment } from '@/bindings/MealAdjustment'
import { addMealAdjustment } from '@/api/meals'
import { useMealAdjustment } from './useMealAdjustment'

vi.mock('@/api/meals', () => ({ addMealAdjustment: vi.fn() }))

describe('useMealAdjustment', () => {
  it('books a claw-back typed in 元 as negative 分', async () => {
    vi.mocked(addMealAdjustment).mockResolvedValue({ month: '2026-11' } as MealAdjustment)
    const adjustment = useMealAdjustment()
    adjustment.start()
    Object.assign(adjustment.form, { elderId: 'e-1', reason: ' 10月5日午餐重复登记 ', subsidyDelta: '-8', selfPaidDelta: '' })

    expect((await adjustment.save('p-1', '2026-10'))?.month).toBe('2026-11')
    expect(addMealAdjustment).toHaveBeenCalledWith({
      point_id: 'p-1',
      from_month: '2026-10',
      elder_id: 'e-1',
      reason: '10月5日午餐重复登记',
      subsidy_delta: -800,
      self_paid_delta: 0,
    })
  })

  it('lists what is missing before asking the backend', async () => {
    vi.mocked(addMealAdjustment).mockClear()
    const adjustment = useMealAdjustment()
    adjustment.start()
    adjustment.form.subsidyDelta = '0'

    expect(await adjustment.save('p-1', '2026-10')).toBeNull()
    expect(adjustment.problems.value).toEqual(['请填写老人', '请填写原因', '补贴调整和自付调整不能都为 0'])
    adjustment.form.subsidyDelta = '8元多'
    await adjustment.save('p-1', '2026-10')
    expect(adjustment.problems.value).toContain('金额应为数字，最多两位小数，可为负数')
    expect(addMealAdjustment).not.toHaveBeenCalled()
  })

  it('keeps the input and shows the backend message when refused', async () => {
    vi.mocked(addMealAdjustment).mockRejectedValue({ code: 'invalid', message: '2026-11尚未锁定，请直接修改就餐记录' })
    const adjustment = useMealAdjustment()
    Object.assign(adjustment.form, { elderId: 'e-1', reason: '漏登', subsidyDelta: '8', selfPaidDelta: '' })

    expect(await adjustment.save('p-1', '2026-11')).toBeNull()
    expect(adjustment.error.value?.message).toBe('2026-11尚未锁定，请直接修改就餐记录')
    expect(adjustment.form.reason).toBe('漏登')
  })
})
