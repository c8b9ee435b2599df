import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Approvals } from '@/bindings/Approvals'
import type { PendingSettlement } from '@/bindings/PendingSettlement'
import { approvals } from '@/api/review'
import { reviewSettlement } from '@/api/meals'
import { settlementKey, useApprovals } from './useApprovals'

vi.mock('@/api/review', () => ({ approvals: vi.fn() }))
vi.mock('@/api/meals', () => ({ reviewSettlement: vi.fn() }))

const row: PendingSettlement = {
  point_id: 'p-1',
  point_name: '庄口敬老院助餐点',
  township_name: '庄口镇',
  month: '2026-10',
  submitted_by: '王军',
  submitted_at: '2026-11-02 09:00',
  note: '',
  totals: { diners: 30, dining_days: 21, meals: 600, subsidy: 300000, self_paid: 420000, adjustments: 0, payable: 300000 },
  anomalies: 0,
  days_waiting: 28,
}
const queue = (settlements: PendingSettlement[]): Approvals => ({ settlements, cases: [] })

describe('useApprovals', () => {
  beforeEach(() => vi.resetAllMocks())

  it('approves a settlement and takes the queue without it', async () => {
    vi.mocked(approvals).mockResolvedValueOnce(queue([row])).mockResolvedValueOnce(queue([]))
    vi.mocked(reviewSettlement).mockResolvedValue({} as never)
    const state = useApprovals()
    await state.load()
    expect(state.queue.value?.settlements).toHaveLength(1)
    expect(await state.decide(row, 'approved', '')).toEqual({ ok: true })
    expect(reviewSettlement).toHaveBeenCalledWith({ point_id: 'p-1', month: '2026-10', decision: 'approved', reason: '' })
    expect(state.queue.value?.settlements).toEqual([])
    expect(state.saving.value).toBeNull()
  })

  it('keeps the queue when a return is refused, with the reason why', async () => {
    vi.mocked(approvals).mockResolvedValue(queue([row]))
    vi.mocked(reviewSettlement).mockRejectedValue({ code: 'invalid', message: '请填写退回原因' })
    const state = useApprovals()
    await state.load()
    const outcome = await state.decide(row, 'returned', '  ')
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) expect(outcome.error.message).toBe('请填写退回原因')
    expect(reviewSettlement).toHaveBeenCalledWith({ point_id: 'p-1', month: '2026-10', decision: 'returned', reason: '' })
    expect(state.queue.value?.settlements).toEqual([row])
    expect(settlementKey(row)).toBe('p-1|2026-10')
  })
})
