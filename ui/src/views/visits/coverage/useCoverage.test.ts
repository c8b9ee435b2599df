import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { Coverage } from '@/bindings/Coverage'
import { placeTree } from '@/api/elders'
import { coverage } from '@/api/visits'
import { percent, useCoverage } from './useCoverage'

vi.mock('@/api/elders', () => ({ placeTree: vi.fn() }))
vi.mock('@/api/visits', () => ({ coverage: vi.fn() }))

const flush = async () => {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

describe('useCoverage', () => {
  beforeEach(() => {
    vi.mocked(placeTree)
      .mockReset()
      .mockResolvedValue([{ code: '360733100000', name: '文武坝镇', level: 'township', elders: 10, children: [] }])
    vi.mocked(coverage).mockReset().mockResolvedValue({ month: '2026-11', rows: [], missed: [] } as unknown as Coverage)
  })

  it('formats 666 per mille as 66.6% and a full month as 100.0%', () => {
    expect(percent(666)).toBe('66.6%')
    expect(percent(1000)).toBe('100.0%')
    expect(percent(0)).toBe('0.0%')
  })

  it('starts with the first township and the current month, and reloads for another month', async () => {
    const view = useCoverage(() => new Date(2026, 10, 23, 9, 0))
    await view.start()
    await flush()
    expect(coverage).toHaveBeenCalledWith({ place_code: '360733100000', month: '2026-11' })

    view.month.value = '2026-10'
    await flush()
    expect(coverage).toHaveBeenLastCalledWith({ place_code: '360733100000', month: '2026-10' })
  })

  it('shows the backend message when coverage cannot be computed', async () => {
    vi.mocked(coverage).mockRejectedValue({ code: 'invalid', message: '月份格式不对' })
    const view = useCoverage()
    await view.start()
    await flush()

    expect(view.error.value?.message).toBe('月份格式不对')
    expect(view.loading.value).toBe(false)
  })
})
