import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import type { Settlement } from '@/bindings/Settlement'
import type { SettlementStatus } from '@/bindings/SettlementStatus'
import type { SettlementTotals } from '@/bindings/SettlementTotals'
import type { SyncStatus } from '@/bindings/SyncStatus'
import {
  exportSettlement,
  mealSettlement,
  printSettlement,
  printTownshipSettlements,
  reviewSettlement,
  submitSettlement,
  townshipSettlements,
} from '@/api/meals'
import { syncStatus } from '@/api/sync'
import { useMealSettlement } from './useMealSettlement'

vi.mock('@/api/meals', () => ({
  mealSettlement: vi.fn(),
  townshipSettlements: vi.fn(),
  submitSettlement: vi.fn(),
  reviewSettlement: vi.fn(),
  printSettlement: vi.fn(),
  exportSettlement: vi.fn(),
  printTownshipSettlements: vi.fn(),
}))
vi.mock('@/api/sync', () => ({ syncStatus: vi.fn() }))

const flush = async () => {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

const totals = (subsidy: number): SettlementTotals => ({
  diners: 30,
  dining_days: 400,
  meals: 420,
  subsidy,
  self_paid: 250000,
  adjustments: 0,
  payable: subsidy,
})

const settlement = (status: SettlementStatus, extra: Partial<Settlement> = {}) =>
  ({ point: { id: 'p-1', name: '庄口敬老院助餐点' }, month: '2026-11', status, totals: totals(180000), approved_totals: null, ...extra }) as Settlement

const november = () => new Date(2026, 10, 30, 9, 0, 0)

async function opened(status: SettlementStatus = 'open', extra: Partial<Settlement> = {}) {
  vi.mocked(mealSettlement).mockResolvedValue(settlement(status, extra))
  const pointId = ref<string | null>(null)
  const shown = useMealSettlement(pointId, ref('360733105000'), november)
  pointId.value = 'p-1'
  await flush()
  return shown
}

describe('useMealSettlement', () => {
  beforeEach(() => {
    for (const command of [mealSettlement, townshipSettlements, submitSettlement, reviewSettlement, printSettlement, exportSettlement, printTownshipSettlements]) {
      vi.mocked(command).mockReset()
    }
    vi.mocked(syncStatus).mockReset()
  })

  it('opens on this month of the chosen point; an open month can be submitted, not reviewed or adjusted', async () => {
    const shown = await opened('open')

    expect(mealSettlement).toHaveBeenCalledWith({ point_id: 'p-1', month: '2026-11' })
    expect(shown.shownTotals.value?.subsidy).toBe(180000)
    expect([shown.canSubmit.value, shown.canReview.value, shown.canAdjust.value]).toEqual([true, false, false])
  })

  it('an approved month shows the approved figures and says when the meals changed since', async () => {
    const shown = await opened('approved', { approved_totals: totals(175000) })

    expect(shown.shownTotals.value?.subsidy).toBe(175000)
    expect(shown.changedSinceApproval.value).toBe(true)
    expect([shown.canSubmit.value, shown.canAdjust.value]).toEqual([false, true])
  })

  it('an approved month whose meals did not change shows no note', async () => {
    const shown = await opened('approved', { approved_totals: totals(180000) })

    expect(shown.changedSinceApproval.value).toBe(false)
  })

  it('submitting sends the note and shows the settlement the backend answers with', async () => {
    vi.mocked(submitSettlement).mockResolvedValue(settlement('submitted', { status_label: '已提交，待县级审核' }))
    const shown = await opened('open')

    expect(await shown.submit('11月有2天停电')).toBe(true)
    expect(submitSettlement).toHaveBeenCalledWith({ point_id: 'p-1', month: '2026-11', note: '11月有2天停电' })
    expect(shown.settlement.value?.status).toBe('submitted')
  })

  it('a refused submission keeps the statement and shows the backend message', async () => {
    vi.mocked(submitSettlement).mockRejectedValue({ code: 'invalid', message: '2026-11尚未结束，月末后才能提交结算' })
    const shown = await opened('open')

    expect(await shown.submit('')).toBe(false)
    expect(shown.error.value?.message).toBe('2026-11尚未结束，月末后才能提交结算')
    expect(shown.settlement.value?.status).toBe('open')
  })

  it('offers review of a submitted month unless this computer is enrolled with another role', async () => {
    const shown = await opened('submitted')
    expect(shown.canReview.value).toBe(true)

    vi.mocked(syncStatus).mockResolvedValue({ enrolled: true, role: 'station_director' } as SyncStatus)
    await shown.loadRole()
    expect(shown.canReview.value).toBe(false)

    vi.mocked(syncStatus).mockResolvedValue({ enrolled: true, role: 'county_reviewer' } as SyncStatus)
    await shown.loadRole()
    expect(shown.canReview.value).toBe(true)
  })

  it('returning sends the reason; the backend’s refusal of a non-reviewer is shown as it says', async () => {
    vi.mocked(reviewSettlement).mockRejectedValue({ code: 'invalid', message: '只有县级审核员可以审核结算' })
    const shown = await opened('submitted')

    expect(await shown.review('returned', '缺少签字')).toBe(false)
    expect(reviewSettlement).toHaveBeenCalledWith({ point_id: 'p-1', month: '2026-11', decision: 'returned', reason: '缺少签字' })
    expect(shown.error.value?.message).toBe('只有县级审核员可以审核结算')
  })

  it('prints and exports to files locked with the typed password and says where; the township summary prints for the township', async () => {
    vi.mocked(printSettlement).mockResolvedValue({ path: '/导出/庄口敬老院助餐点助餐结算表-2026-11.pdf' })
    vi.mocked(exportSettlement).mockResolvedValue({ path: '/导出/庄口敬老院助餐点助餐结算表-2026-11.xlsx' })
    vi.mocked(printTownshipSettlements).mockResolvedValue({ path: '/导出/庄口镇助餐结算汇总-2026-11.pdf' })
    const shown = await opened('open')

    expect(await shown.print('结算密码2026')).toBe('/导出/庄口敬老院助餐点助餐结算表-2026-11.pdf')
    expect(printSettlement).toHaveBeenCalledWith({ point_id: 'p-1', month: '2026-11', password: '结算密码2026' })
    expect(await shown.exportWorkbook('结算密码2026')).toMatch(/\.xlsx$/)
    expect(exportSettlement).toHaveBeenCalledWith({ point_id: 'p-1', month: '2026-11', password: '结算密码2026' })
    expect(await shown.printTownship()).toMatch(/汇总/)
    expect(printTownshipSettlements).toHaveBeenCalledWith({ township_code: '360733105000', month: '2026-11' })
    expect(shown.busy.value).toBeNull()
  })

  it('a file that cannot be written gives no path and the backend message', async () => {
    vi.mocked(printSettlement).mockRejectedValue({ code: 'export_failed', message: '无法写入文件 /导出/x.pdf：磁盘已满' })
    const shown = await opened('open')

    expect(await shown.print('结算密码2026')).toBeNull()
    expect(shown.error.value?.message).toBe('无法写入文件 /导出/x.pdf：磁盘已满')
  })

  it('loads the township summary for the chosen month, and again for another month', async () => {
    vi.mocked(townshipSettlements).mockResolvedValue({ township_name: '庄口镇', points: [] } as never)
    const shown = await opened('open')
    await shown.loadTownship()
    expect(townshipSettlements).toHaveBeenCalledWith({ township_code: '360733105000', month: '2026-11' })

    shown.month.value = '2026-10'
    await flush()
    expect(mealSettlement).toHaveBeenLastCalledWith({ point_id: 'p-1', month: '2026-10' })
  })
})
