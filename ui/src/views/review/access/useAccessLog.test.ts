import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { AccessRow } from '@/bindings/AccessRow'
import { accessLog } from '@/api/access'
import { PAGE_SIZE, useAccessLog } from './useAccessLog'

vi.mock('@/api/access', () => ({ accessLog: vi.fn() }))

const row: AccessRow = {
  id: 'a1',
  at: '2026-11-20 16:00',
  user_id: 'u1',
  user_name: '刘芳',
  elder_id: 'e1',
  elder_name: '王秀英',
  id_number_masked: '3607**********0021',
  village_name: '白沙村',
  kind: 'id_number',
  kind_label: '查看完整身份证号',
  reason: '核对低保材料',
}

describe('useAccessLog', () => {
  beforeEach(() => {
    vi.mocked(accessLog).mockReset()
    vi.mocked(accessLog).mockResolvedValue({ items: [row], total: 1 })
  })

  it('asks for everything at first, then narrows by the name clicked and by days, from the first page', async () => {
    const log = useAccessLog()
    await log.load()
    expect(accessLog).toHaveBeenLastCalledWith({
      user_id: null,
      elder_id: null,
      from: null,
      to: null,
      page: 1,
      page_size: PAGE_SIZE,
    })
    await log.goTo(3)
    await log.only('user', row)
    expect(log.filter.user).toEqual({ id: 'u1', name: '刘芳' })
    expect(accessLog).toHaveBeenLastCalledWith(expect.objectContaining({ user_id: 'u1', page: 1 }))
    await log.only('elder', row)
    await log.setDates(['2026-11-01', '2026-11-30'])
    expect(accessLog).toHaveBeenLastCalledWith(
      expect.objectContaining({ user_id: 'u1', elder_id: 'e1', from: '2026-11-01', to: '2026-11-30' }),
    )
    await log.clear('user')
    expect(accessLog).toHaveBeenLastCalledWith(expect.objectContaining({ user_id: null, elder_id: 'e1' }))
    expect(log.result.value.total).toBe(1)
  })

  it('shows the backend refusal (not a county reviewer) and an empty list', async () => {
    vi.mocked(accessLog).mockRejectedValue({ code: 'invalid', message: '只有县级审核员可以查看查阅记录' })
    const log = useAccessLog()
    await log.load()
    expect(log.error.value?.message).toBe('只有县级审核员可以查看查阅记录')
    expect(log.result.value.items).toEqual([])
    expect(log.loading.value).toBe(false)
  })
})
