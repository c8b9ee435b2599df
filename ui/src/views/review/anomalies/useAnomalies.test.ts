import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { CountyAnomalies } from '@/bindings/CountyAnomalies'
import type { CountyAnomaly } from '@/bindings/CountyAnomaly'
import { placeTree } from '@/api/elders'
import { countyAnomalies } from '@/api/review'
import { useAnomalies } from './useAnomalies'

vi.mock('@/api/elders', () => ({ placeTree: vi.fn() }))
vi.mock('@/api/review', () => ({ countyAnomalies: vi.fn() }))

const flush = async () => {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

const finding = (kind: CountyAnomaly['kind'], record_id: string) =>
  ({ kind, record_id, elder_id: 'e', elder_name: '张三', village_name: '白沙村委会', township_name: '庄口镇', date: null, detail: '' }) as CountyAnomaly

const answer: CountyAnomalies = {
  month: '2026-11',
  rows: [finding('visit_after_death', 'v-1'), finding('coverage_gap', 'e-1'), finding('coverage_gap', 'e-2')],
  counts: [
    { kind: 'visit_after_death', count: 1 },
    { kind: 'meal_after_life_end', count: 0 },
    { kind: 'double_meal_claim', count: 0 },
    { kind: 'visit_outside_places', count: 0 },
    { kind: 'coverage_gap', count: 2 },
  ],
}

describe('useAnomalies', () => {
  beforeEach(() => {
    vi.mocked(placeTree).mockReset().mockResolvedValue([])
    vi.mocked(countyAnomalies).mockReset().mockResolvedValue(answer)
  })

  it('checks this month everywhere to start with, and a kind filters the findings', async () => {
    const list = useAnomalies(() => new Date(2026, 10, 20))
    await list.start()
    expect(countyAnomalies).toHaveBeenCalledWith({ place_code: null, month: '2026-11' })
    expect(list.total.value).toBe(3)
    list.kind.value = 'coverage_gap'
    expect(list.rows.value.map((row) => row.record_id)).toEqual(['e-1', 'e-2'])
    list.kind.value = null
    expect(list.rows.value).toHaveLength(3)
  })

  it('starts on the county it is given, once', async () => {
    const list = useAnomalies(() => new Date(2026, 10, 20))
    await list.start('360733000000')
    await flush()
    expect(countyAnomalies).toHaveBeenCalledOnce()
    expect(countyAnomalies).toHaveBeenCalledWith({ place_code: '360733000000', month: '2026-11' })
  })

  it('checks again when the township or the month changes', async () => {
    const list = useAnomalies(() => new Date(2026, 10, 20))
    await list.start()
    list.placeCode.value = '360733105000'
    await flush()
    expect(countyAnomalies).toHaveBeenLastCalledWith({ place_code: '360733105000', month: '2026-11' })
    list.month.value = '2026-10'
    await flush()
    expect(countyAnomalies).toHaveBeenLastCalledWith({ place_code: '360733105000', month: '2026-10' })
  })

  it('keeps the refusal to show', async () => {
    vi.mocked(countyAnomalies).mockRejectedValue({ code: 'invalid', message: '请填写正确的核查月份' })
    const list = useAnomalies(() => new Date(2026, 10, 20))
    await list.start()
    expect(list.error.value).toEqual({ code: 'invalid', message: '请填写正确的核查月份', problems: [] })
    expect(list.result.value).toBeNull()
  })
})
