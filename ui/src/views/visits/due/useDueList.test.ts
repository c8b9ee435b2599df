import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { DueList } from '@/bindings/DueList'
import type { DueRow } from '@/bindings/DueRow'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { placeTree } from '@/api/elders'
import { caseworkers, dueList } from '@/api/visits'
import { useDueList } from './useDueList'

vi.mock('@/api/elders', () => ({ placeTree: vi.fn() }))
vi.mock('@/api/visits', () => ({ dueList: vi.fn(), caseworkers: vi.fn() }))

const flush = async () => {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

const township = (code: string): PlaceNode => ({ code, name: code, level: 'township', elders: 10, children: [] })
const row = (name: string, bucket: DueRow['bucket'], high_risk = false) =>
  ({ elder_id: name, name, bucket, due: { high_risk } }) as DueRow

const delivered: DueList = {
  rows: [
    row('张建国', 'overdue', true),
    row('李秀英', 'overdue'),
    row('王福', 'this_week'),
    row('赵兰', 'this_month'),
  ],
  overdue: 2,
  this_week: 1,
  this_month: 1,
  computed_at: '2026-11-23T09:00:00',
}

describe('useDueList', () => {
  beforeEach(() => {
    vi.mocked(placeTree).mockReset().mockResolvedValue([township('360733100000'), township('360733101000')])
    vi.mocked(dueList).mockReset().mockResolvedValue(delivered)
  })

  afterEach(() => vi.unstubAllGlobals())

  it('opens on the first township and shows the counts and rows in the order delivered', async () => {
    const due = useDueList()
    await due.open()
    await flush()

    expect(dueList).toHaveBeenCalledOnce()
    expect(dueList).toHaveBeenCalledWith({ place_code: '360733100000', caseworker_id: null, include_later: false })
    expect(due.list.value?.rows.map((shown) => shown.name)).toEqual(['张建国', '李秀英', '王福', '赵兰'])
    expect([due.list.value?.overdue, due.list.value?.this_week, due.list.value?.this_month]).toEqual([2, 1, 1])
  })

  it('loads the list again for another place and when shown again, without reloading the place tree', async () => {
    const due = useDueList()
    await due.open()
    await flush()
    due.placeCode.value = '360733101200'
    await flush()
    await due.open()
    await flush()

    expect(placeTree).toHaveBeenCalledOnce()
    expect(dueList).toHaveBeenCalledTimes(3)
    expect(dueList).toHaveBeenLastCalledWith(expect.objectContaining({ place_code: '360733101200' }))
  })

  it('shows one caseworker’s list when picked, and the whole place again when another place is chosen', async () => {
    vi.mocked(caseworkers).mockReset().mockResolvedValue([{ id: 'user-1', name: '刘芳', villages: ['庄口村委会'] }])
    const due = useDueList()
    await due.open()
    await flush()
    expect(caseworkers).not.toHaveBeenCalled()

    await due.loadCaseworkers()
    await due.loadCaseworkers()
    expect(caseworkers).toHaveBeenCalledOnce()
    expect(caseworkers).toHaveBeenCalledWith({ place_code: '360733100000' })
    expect(due.caseworkers.value.map((caseworker) => caseworker.name)).toEqual(['刘芳'])

    due.caseworkerId.value = 'user-1'
    await flush()
    expect(dueList).toHaveBeenLastCalledWith({ place_code: '360733100000', caseworker_id: 'user-1', include_later: false })

    vi.mocked(dueList).mockClear()
    due.placeCode.value = '360733101000'
    await flush()
    expect(due.caseworkerId.value).toBeNull()
    expect(dueList).toHaveBeenCalledOnce()
    expect(dueList).toHaveBeenCalledWith({ place_code: '360733101000', caseworker_id: null, include_later: false })
    await due.loadCaseworkers()
    expect(caseworkers).toHaveBeenLastCalledWith({ place_code: '360733101000' })
  })

  it('shows the backend message when the list cannot be loaded', async () => {
    vi.mocked(dueList).mockRejectedValue({ code: 'database', message: '数据库无法打开' })
    const due = useDueList()
    await due.open()
    await flush()

    expect(due.error.value).toEqual({ code: 'database', message: '数据库无法打开', problems: [] })
    expect(due.list.value).toBeNull()
    expect(due.loading.value).toBe(false)
  })

  describe('on a computer that remembers the last place', () => {
    let stored: Map<string, string>
    beforeEach(() => {
      stored = new Map()
      vi.stubGlobal('localStorage', {
        getItem: (key: string) => stored.get(key) ?? null,
        setItem: (key: string, value: string) => void stored.set(key, value),
        removeItem: (key: string) => void stored.delete(key),
      })
    })

    it('remembers the chosen place and reopens on it, asking for its list before the place tree answers', async () => {
      const first = useDueList()
      await first.open()
      await flush()
      first.placeCode.value = '360733101200'
      await flush()

      let answerTree: (tree: PlaceNode[]) => void = () => {}
      vi.mocked(placeTree).mockReset().mockReturnValue(new Promise((resolve) => (answerTree = resolve)))
      vi.mocked(dueList).mockClear()
      const restarted = useDueList()
      const opening = restarted.open()
      await flush()
      expect(dueList).toHaveBeenCalledWith(expect.objectContaining({ place_code: '360733101200' }))

      answerTree([{ ...township('360733101000'), children: [{ ...township('360733101200'), level: 'village' }] }])
      await opening
      await flush()
      expect(dueList).toHaveBeenCalledOnce()
      expect(restarted.placeCode.value).toBe('360733101200')
    })

    it('opens on the first township when the remembered place is no longer in the tree', async () => {
      stored.set('xianglin.visits.place', '360733999000')
      const due = useDueList()
      await due.open()
      await flush()

      expect(due.placeCode.value).toBe('360733100000')
      expect(dueList).toHaveBeenLastCalledWith(expect.objectContaining({ place_code: '360733100000' }))
      expect(stored.get('xianglin.visits.place')).toBe('360733100000')
    })
  })
})
