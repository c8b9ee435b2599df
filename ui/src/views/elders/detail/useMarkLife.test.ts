import { describe, expect, it, vi } from 'vitest'
import type { Elder } from '@/bindings/Elder'
import { setLifeStatus } from '@/api/elders'
import { useMarkLife } from './useMarkLife'

vi.mock('@/api/elders', () => ({ setLifeStatus: vi.fn() }))

const shown = { id: 'e-1', name: '张建国', id_number: '3607**********0017', life: { state: 'active' } } as Elder

describe('useMarkLife', () => {
  it('marks the elder deceased with only the new status, never the ID number', async () => {
    vi.mocked(setLifeStatus).mockImplementation(async () => shown)
    const mark = useMarkLife(() => shown)
    Object.assign(mark.form, { state: 'deceased', date: '2026-11-02', movedTo: '南昌' })

    expect(await mark.save()).toBe(true)
    expect(setLifeStatus).toHaveBeenCalledWith({
      elder_id: 'e-1',
      life: { state: 'deceased', date: '2026-11-02', moved_to: null },
    })
  })

  it('keeps the dialog’s input and exposes the message when the backend refuses the date', async () => {
    vi.mocked(setLifeStatus).mockRejectedValue({ code: 'invalid', message: '去世日期不能晚于今天' })
    const mark = useMarkLife(() => shown)
    Object.assign(mark.form, { state: 'moved', date: '2026-11-02', movedTo: '南昌' })

    expect(await mark.save()).toBe(false)
    expect(mark.error.value?.message).toBe('去世日期不能晚于今天')
    expect(mark.form.movedTo).toBe('南昌')
  })
})
