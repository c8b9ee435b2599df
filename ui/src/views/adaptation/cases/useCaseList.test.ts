import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { AdaptationCaseList } from '@/bindings/AdaptationCaseList'
import type { CaseRow } from '@/bindings/CaseRow'
import type { CaseStep } from '@/bindings/CaseStep'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { adaptationCases } from '@/api/adaptation'
import { placeTree } from '@/api/elders'
import { useCaseList } from './useCaseList'

vi.mock('@/api/adaptation', () => ({ adaptationCases: vi.fn() }))
vi.mock('@/api/elders', () => ({ placeTree: vi.fn() }))

const flush = async () => {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

const township = (code: string, name: string): PlaceNode => ({ code, name, level: 'township', elders: 10, children: [] })
const row = (case_id: string, township_code: string, step: CaseStep, days_waiting: number) =>
  ({ case_id, township_code, step, days_waiting, elder_name: case_id }) as CaseRow

const caseList: AdaptationCaseList = {
  rows: [
    row('c-1', '360733105000', 'county_review', 40),
    row('c-2', '360733105000', 'application', 4),
    row('c-3', '360733106000', 'application', 12),
  ],
  counts: [
    { township_code: '360733105000', township_name: '庄口镇', step: 'application', step_label: '申请', cases: 1, longest_wait_days: 4 },
    { township_code: '360733105000', township_name: '庄口镇', step: 'county_review', step_label: '县级审核', cases: 1, longest_wait_days: 40 },
    { township_code: '360733106000', township_name: '白鹅乡', step: 'application', step_label: '申请', cases: 1, longest_wait_days: 12 },
  ],
}

describe('useCaseList', () => {
  let stored: Map<string, string>
  beforeEach(() => {
    stored = new Map()
    vi.stubGlobal('localStorage', {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => void stored.set(key, value),
      removeItem: (key: string) => void stored.delete(key),
    })
    vi.mocked(placeTree)
      .mockReset()
      .mockResolvedValue([township('360733105000', '庄口镇'), township('360733106000', '白鹅乡')])
    vi.mocked(adaptationCases).mockReset().mockResolvedValue(caseList)
  })
  afterEach(() => vi.unstubAllGlobals())

  it('opens on the first township, every step at once, archived cases left out', async () => {
    const list = useCaseList('township')
    await list.open()
    await flush()

    expect(adaptationCases).toHaveBeenCalledOnce()
    expect(adaptationCases).toHaveBeenCalledWith({ place_code: '360733105000', step: null, include_archived: false })
    expect(list.rows.value.map((each) => each.case_id)).toEqual(['c-1', 'c-2', 'c-3'])
    expect(stored.get('xianglin.adaptation.township')).toBe('360733105000')
  })

  it('filters by step while every step keeps its count and longest wait', async () => {
    const list = useCaseList('township')
    await list.open()
    await flush()
    list.step.value = 'application'

    expect(list.rows.value.map((each) => each.case_id)).toEqual(['c-2', 'c-3'])
    const application = list.stepCounts.value.find((count) => count.step === 'application')
    expect(application).toEqual({ step: 'application', cases: 2, longestWaitDays: 12 })
    expect(list.stepCounts.value).toHaveLength(10)
    expect(list.totalCases.value).toBe(3)
  })

  it('reopens on the township chosen last time, and asks again for archived cases', async () => {
    stored.set('xianglin.adaptation.township', '360733106000')
    const list = useCaseList('township')
    await list.open()
    await flush()
    expect(adaptationCases).toHaveBeenLastCalledWith({ place_code: '360733106000', step: null, include_archived: false })

    list.includeArchived.value = true
    await flush()
    expect(adaptationCases).toHaveBeenLastCalledWith({ place_code: '360733106000', step: null, include_archived: true })
  })

  it('the county sees every township, summed per township and step', async () => {
    const list = useCaseList('county')
    await list.open()

    expect(placeTree).not.toHaveBeenCalled()
    expect(adaptationCases).toHaveBeenCalledWith({ place_code: null, step: null, include_archived: false })
    const [zhuangkou, baie] = list.townshipCounts.value
    expect([zhuangkou?.townshipName, zhuangkou?.total, zhuangkou?.steps.county_review.longestWaitDays]).toEqual(['庄口镇', 2, 40])
    expect([baie?.townshipName, baie?.total, baie?.steps.plan.cases]).toEqual(['白鹅乡', 1, 0])
  })

  it('a list that cannot be read is empty and says why', async () => {
    vi.mocked(adaptationCases).mockRejectedValue({ code: 'storage', message: '无法读取本机数据' })
    const list = useCaseList('county')
    await list.open()

    expect(list.rows.value).toEqual([])
    expect(list.error.value?.message).toBe('无法读取本机数据')
  })
})
