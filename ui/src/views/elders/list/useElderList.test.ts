import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { ElderPage } from '@/bindings/ElderPage'
import { placeTree, searchElders } from '@/api/elders'
import { useElderList } from './useElderList'

vi.mock('@/api/elders', () => ({ placeTree: vi.fn(), searchElders: vi.fn() }))

const emptyPage = (page: number): ElderPage => ({ items: [], total: 120, page, page_size: 20 })

/** Lets watchers run and the mocked command resolve. */
async function settle() {
  await nextTick()
  await vi.advanceTimersByTimeAsync(0)
}

describe('useElderList', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.mocked(searchElders).mockReset().mockImplementation(async (request) => emptyPage(request.page))
    vi.mocked(placeTree).mockReset().mockResolvedValue([])
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('starts with the whole county on page 1', async () => {
    const list = useElderList()
    list.start()
    await settle()

    expect(placeTree).toHaveBeenCalledOnce()
    expect(searchElders).toHaveBeenCalledWith({
      place_code: null,
      query: '',
      include_inactive: false,
      page: 1,
      page_size: 20,
    })
    expect(list.total.value).toBe(120)
  })

  it('goes back to page 1 and searches once when typing stops', async () => {
    const list = useElderList()
    list.page.value = 3
    await settle()
    vi.mocked(searchElders).mockClear()

    list.filter.query = 'z'
    await settle()
    list.filter.query = 'zjg '
    await settle()
    expect(searchElders).not.toHaveBeenCalled()

    await vi.advanceTimersByTimeAsync(250)
    await settle()
    expect(searchElders).toHaveBeenCalledOnce()
    expect(searchElders).toHaveBeenCalledWith(expect.objectContaining({ query: 'zjg', page: 1 }))
    expect(list.page.value).toBe(1)
  })

  it('searches at once on Enter without waiting for the debounce', async () => {
    const list = useElderList()
    list.filter.query = '张建国'
    await settle()
    list.search()
    await settle()
    await vi.advanceTimersByTimeAsync(500)

    expect(searchElders).toHaveBeenCalledOnce()
    expect(searchElders).toHaveBeenCalledWith(expect.objectContaining({ query: '张建国' }))
  })

  it('passes the chosen place and include_inactive through to the search', async () => {
    const list = useElderList()
    list.filter.placeCode = '360733100201'
    list.filter.includeInactive = true
    await settle()

    expect(searchElders).toHaveBeenLastCalledWith(
      expect.objectContaining({ place_code: '360733100201', include_inactive: true, page: 1 }),
    )
  })

  it('asks for the new page when the page changes', async () => {
    const list = useElderList()
    list.pageSize.value = 50
    list.page.value = 2
    await settle()

    expect(searchElders).toHaveBeenLastCalledWith(expect.objectContaining({ page: 2, page_size: 50 }))
  })

  it('shows the backend message when the search fails instead of an empty list', async () => {
    vi.mocked(searchElders).mockRejectedValue({ code: 'database', message: '数据库无法打开' })
    const list = useElderList()
    list.start()
    await settle()

    expect(list.error.value).toEqual({ code: 'database', message: '数据库无法打开', problems: [] })
    expect(list.loading.value).toBe(false)
  })

  it('keeps the rows of the newest search when an older answer arrives late', async () => {
    let answerFirst: (page: ElderPage) => void = () => {}
    vi.mocked(searchElders)
      .mockImplementationOnce(() => new Promise((resolve) => (answerFirst = resolve)))
      .mockResolvedValueOnce({ ...emptyPage(1), total: 1 })
    const list = useElderList()
    list.start()
    list.search()
    await settle()
    answerFirst({ ...emptyPage(1), total: 999 })
    await settle()

    expect(list.total.value).toBe(1)
  })
})
