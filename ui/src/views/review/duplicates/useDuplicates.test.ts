import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { DuplicateElder } from '@/bindings/DuplicateElder'
import type { DuplicatePair } from '@/bindings/DuplicatePair'
import type { DuplicatesPage } from '@/bindings/DuplicatesPage'
import { decideDuplicate, duplicates, undoDuplicateDecision } from '@/api/duplicates'
import { keptAndMerged, pairKey, useDuplicates } from './useDuplicates'

vi.mock('@/api/duplicates', () => ({ duplicates: vi.fn(), decideDuplicate: vi.fn(), undoDuplicateDecision: vi.fn() }))

const elder = (id: string, village: string): DuplicateElder => ({
  elder_id: id,
  name: '刘桂英',
  id_number_masked: '362128********0021',
  gender: 'female',
  birth_date: '1948-05-02',
  village_code: village,
  village_name: `${village}村委会`,
  township_name: '庄口镇',
  phone: null,
  address: '庄口镇',
  life: { state: 'active', date: null, moved_to: null },
  registered_on: '2026-08-01',
  registered_by: '王军',
  visits: 3,
  meals: 0,
  cases: 0,
})
const pair: DuplicatePair = {
  first: elder('e-1', '洛口'),
  second: elder('e-2', '白沙'),
  score: 100,
  reason: 'same_id_number',
  explanation: '身份证号、姓名相同',
}
const page = (pairs: DuplicatePair[]): DuplicatesPage => ({ elders_checked: 435, pairs, decisions: [] })

describe('keptAndMerged', () => {
  it('keeps the first registered unless the other is chosen', () => {
    expect(keptAndMerged(pair, undefined)).toEqual({ kept_id: 'e-1', merged_id: 'e-2' })
    expect(keptAndMerged(pair, 'e-1')).toEqual({ kept_id: 'e-1', merged_id: 'e-2' })
    expect(keptAndMerged(pair, 'e-2')).toEqual({ kept_id: 'e-2', merged_id: 'e-1' })
  })
})

describe('useDuplicates', () => {
  beforeEach(() => vi.resetAllMocks())

  it('loads the pairs, each keeping its first elder, and sends the chosen one to keep', async () => {
    vi.mocked(duplicates).mockResolvedValue(page([pair]))
    vi.mocked(decideDuplicate).mockResolvedValue(page([]))
    const state = useDuplicates()
    await state.load()
    expect(state.keep.value[pairKey(pair)]).toBe('e-1')
    state.keep.value[pairKey(pair)] = 'e-2'
    const outcome = await state.decide(pair, 'merge', '  同一人  ')
    expect(outcome).toEqual({ ok: true })
    expect(decideDuplicate).toHaveBeenCalledWith({ verdict: 'merge', kept_id: 'e-2', merged_id: 'e-1', note: '同一人' })
    expect(state.page.value?.pairs).toEqual([])
    expect(state.saving.value).toBeNull()
  })

  it('keeps the page as it was when a decision is refused, and says why', async () => {
    vi.mocked(duplicates).mockResolvedValue(page([pair]))
    vi.mocked(decideDuplicate).mockRejectedValue({ code: 'invalid', message: '只有县级审核员可以合并重复登记的老人' })
    const state = useDuplicates()
    await state.load()
    const outcome = await state.decide(pair, 'merge', '')
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) expect(outcome.error.message).toContain('县级审核员')
    expect(state.page.value?.pairs).toEqual([pair])
  })

  it('undoes with the reason trimmed', async () => {
    vi.mocked(undoDuplicateDecision).mockResolvedValue(page([pair]))
    const state = useDuplicates()
    await state.undo('d-1', ' 核实为两人 ')
    expect(undoDuplicateDecision).toHaveBeenCalledWith({ id: 'd-1', reason: '核实为两人' })
    expect(state.page.value?.pairs).toEqual([pair])
  })
})
