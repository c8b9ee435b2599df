import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConflictRow } from '@/bindings/ConflictRow'
import { conflicts, resolveConflict } from '@/api/conflicts'
import { OTHER, conflictKey, pickedValue, typedValue, useConflicts } from './useConflicts'

vi.mock('@/api/conflicts', () => ({ conflicts: vi.fn(), resolveConflict: vi.fn() }))

const value = (json: string, shown: boolean, user: string) => ({
  value: json,
  display: JSON.parse(json).toString(),
  user_name: user,
  device: user === '刘芳' ? '0a1b2c3d' : '9f8e7d6c',
  at: '2026-11-20 10:00:00',
  shown,
})
const phone: ConflictRow = {
  shard: 'elders/360733105201',
  record_id: 'e-1',
  kind: 'elder',
  elder_id: 'e-1',
  elder_name: '张建国',
  place_name: '白沙村委会',
  field: 'phone',
  accepts_other: true,
  values: [value('"13800000001"', true, '庄口站'), value('"13900000002"', false, '刘芳')],
}
const visits: ConflictRow = {
  ...phone,
  shard: 'visits/360733105201/2026-11',
  record_id: 'v-1',
  kind: 'visit',
  field: 'duration_minutes',
  accepts_other: false,
  values: [value('30', true, '庄口站'), value('45', false, '刘芳')],
}

describe('typed and picked values', () => {
  it('types text as a JSON string, and a number where the field holds numbers', () => {
    expect(typedValue(phone, ' 13700000003 ')).toBe('"13700000003"')
    expect(typedValue(visits, '40')).toBe('40')
    expect(typedValue(visits, '四十')).toBe('"四十"')
  })

  it('sends a listed value as it is, a typed one only where the record accepts it', () => {
    expect(pickedValue(phone, '"13900000002"', undefined)).toBe('"13900000002"')
    expect(pickedValue(phone, OTHER, '13700000003')).toBe('"13700000003"')
    expect(pickedValue(phone, OTHER, '  ')).toBeNull()
    expect(pickedValue(visits, OTHER, '40')).toBeNull()
    expect(pickedValue(phone, undefined, undefined)).toBeNull()
  })
})

describe('useConflicts', () => {
  beforeEach(() => {
    vi.mocked(conflicts).mockReset().mockResolvedValue([phone, visits])
    vi.mocked(resolveConflict).mockReset()
  })

  it('starts every conflict on the value lists show', async () => {
    const list = useConflicts()
    await list.load()
    expect(list.rows.value).toHaveLength(2)
    expect(list.picks.value[conflictKey(phone)]).toBe('"13800000001"')
    expect(list.picks.value[conflictKey(visits)]).toBe('30')
  })

  it('resolves with the pick and takes the conflicts left from the answer', async () => {
    vi.mocked(resolveConflict).mockResolvedValue([visits])
    const list = useConflicts()
    await list.load()
    list.picks.value[conflictKey(phone)] = OTHER
    list.others.value[conflictKey(phone)] = '13700000003'
    const outcome = await list.resolve(phone)
    expect(outcome).toEqual({ ok: true, value: '"13700000003"' })
    expect(resolveConflict).toHaveBeenCalledWith({
      shard: 'elders/360733105201',
      record_id: 'e-1',
      field: 'phone',
      value: '"13700000003"',
    })
    expect(list.rows.value.map((row) => row.record_id)).toEqual(['v-1'])
    expect(list.picks.value).toEqual({ [conflictKey(visits)]: '30' })
  })

  it('keeps the list and the pick when the backend refuses', async () => {
    vi.mocked(resolveConflict).mockRejectedValue({ code: 'invalid', message: '电话格式不正确' })
    const list = useConflicts()
    await list.load()
    list.picks.value[conflictKey(phone)] = OTHER
    list.others.value[conflictKey(phone)] = '12'
    const outcome = await list.resolve(phone)
    expect(outcome).toEqual({ ok: false, error: { code: 'invalid', message: '电话格式不正确', problems: [] } })
    expect(list.rows.value).toHaveLength(2)
    expect(list.others.value[conflictKey(phone)]).toBe('12')
    expect(list.saving.value).toBeNull()
  })
})
