import { describe, expect, it, vi } from 'vitest'
import type { HistoryEntry } from '@/bindings/HistoryEntry'
import { elderHistory } from '@/api/elders'
import { historyWhat, historyWho, useElderHistory } from './useElderHistory'

vi.mock('@/api/elders', () => ({ elderHistory: vi.fn() }))

const entry = (change: Partial<HistoryEntry>): HistoryEntry => ({
  at: '2026-11-20 09:30:00',
  user_id: 'u-7',
  user_name: '刘站长',
  device: '1a2b3c4d',
  fields: [],
  created: false,
  ...change,
})

describe('elder history', () => {
  it('says who changed the record, when and on which device, by user id when the name is unknown', () => {
    expect(historyWho(entry({}))).toBe('2026-11-20 09:30:00 刘站长（设备 1a2b3c4d）')
    expect(historyWho(entry({ user_name: '' }))).toBe('2026-11-20 09:30:00 u-7（设备 1a2b3c4d）')
  })

  it('names the changed fields in Chinese, once each', () => {
    expect(historyWhat(entry({ fields: ['phone', 'life', 'life.date'] }))).toBe('修改了 联系电话、状态')
    expect(historyWhat(entry({ fields: ['categories', 'contacts', 'events', 'meta', 'village_code'] }))).toBe(
      '修改了 类别、联系人、重大变故、作废信息、所在村',
    )
  })

  it('shows the creation as 新建记录', () => {
    expect(historyWhat(entry({ created: true }))).toBe('新建记录')
  })

  it('loads the history of the elder and again when the revision changes', async () => {
    vi.mocked(elderHistory).mockResolvedValue([entry({ created: true })])
    const { ref, nextTick } = await import('vue')
    const revision = ref(0)
    const { entries } = useElderHistory(() => 'e-1', () => revision.value)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(entries.value).toHaveLength(1)

    revision.value += 1
    await nextTick()
    expect(elderHistory).toHaveBeenCalledTimes(2)
    expect(elderHistory).toHaveBeenLastCalledWith({ id: 'e-1' })
  })
})
