import { describe, expect, it, vi } from 'vitest'
import { recordLifeEvent } from '@/api/elders'
import { useLifeEvent } from './useLifeEvent'

vi.mock('@/api/elders', () => ({ recordLifeEvent: vi.fn() }))

describe('useLifeEvent', () => {
  it('records the event with its kind, time and note trimmed', async () => {
    vi.mocked(recordLifeEvent).mockResolvedValue({} as never)
    const event = useLifeEvent(() => 'e-1')
    Object.assign(event.form, { kind: ' 丧偶 ', at: '2026-11-20T20:00:00', note: ' 老伴去世 ' })

    expect(await event.save()).toBe(true)
    expect(recordLifeEvent).toHaveBeenCalledWith({ elder_id: 'e-1', at: '2026-11-20T20:00:00', kind: '丧偶', note: '老伴去世' })
  })

  it('keeps the input and exposes the message when the backend refuses a time in the future', async () => {
    vi.mocked(recordLifeEvent).mockRejectedValue({ code: 'invalid', message: '发生时间不能晚于今天' })
    const event = useLifeEvent(() => 'e-1')
    Object.assign(event.form, { kind: '住院', at: '2030-01-01T00:00:00' })

    expect(await event.save()).toBe(false)
    expect(event.error.value?.message).toBe('发生时间不能晚于今天')
    expect(event.form.kind).toBe('住院')
  })
})
