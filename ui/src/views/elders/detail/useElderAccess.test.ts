import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import { elderAccessLog, revealIdNumber } from '@/api/access'
import { useElderAccess, useRevealIdNumber } from './useElderAccess'

vi.mock('@/api/access', () => ({ elderAccessLog: vi.fn(), revealIdNumber: vi.fn() }))

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('useRevealIdNumber', () => {
  beforeEach(() => {
    vi.mocked(revealIdNumber).mockReset()
  })

  it('shows the full number once asked with a reason, and hides it again for another elder', async () => {
    vi.mocked(revealIdNumber).mockResolvedValue('360733194912310021')
    const id = ref('e1')
    const { shown, reveal } = useRevealIdNumber(() => id.value)
    expect(shown.value).toBeNull()
    expect(await reveal('  核对低保材料 ')).toEqual({ ok: true })
    expect(revealIdNumber).toHaveBeenCalledWith({ elder_id: 'e1', reason: '核对低保材料' })
    expect(shown.value).toBe('360733194912310021')
    id.value = 'e2'
    await nextTick()
    expect(shown.value).toBeNull()
  })

  it('keeps the number hidden when the backend refuses', async () => {
    vi.mocked(revealIdNumber).mockRejectedValue({ code: 'invalid', message: '查看原因太长' })
    const { shown, reveal } = useRevealIdNumber(() => 'e1')
    const outcome = await reveal('x')
    expect(outcome.ok).toBe(false)
    expect(shown.value).toBeNull()
  })
})

describe('useElderAccess', () => {
  it('loads again when the revision changes (after a reveal)', async () => {
    vi.mocked(elderAccessLog).mockResolvedValue([])
    const revision = ref(0)
    useElderAccess(
      () => 'e1',
      () => revision.value,
    )
    await flush()
    revision.value += 1
    await nextTick()
    await flush()
    expect(elderAccessLog).toHaveBeenCalledTimes(2)
  })
})
