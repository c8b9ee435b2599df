import { beforeEach, describe, expect, it, vi } from 'vitest'
import { cityExport, exportLog } from '@/api/review'
import { monthsBefore, useCityExport } from './useCityExport'

vi.mock('@/api/review', () => ({ cityExport: vi.fn(), exportLog: vi.fn() }))

describe('monthsBefore', () => {
  it('steps back across a year', () => {
    expect(monthsBefore('2026-11', 2)).toBe('2026-09')
    expect(monthsBefore('2026-02', 3)).toBe('2025-11')
    expect(monthsBefore('2026-01', 0)).toBe('2026-01')
  })
})

describe('useCityExport', () => {
  beforeEach(() => vi.resetAllMocks())

  it('defaults to the last three months, JSON, masked', () => {
    const form = useCityExport(new Date(2026, 10, 30))
    expect([form.fromMonth.value, form.toMonth.value, form.format.value, form.includeIdNumbers.value]).toEqual([
      '2026-09',
      '2026-11',
      'json',
      false,
    ])
  })

  it('does not send a full-ID export without a reason', async () => {
    const form = useCityExport(new Date(2026, 10, 30))
    form.includeIdNumbers.value = true
    form.reason.value = '   '
    expect(form.reasonMissing.value).toBe(true)
    const outcome = await form.run('上报密码2026')
    expect(outcome.ok).toBe(false)
    expect(cityExport).not.toHaveBeenCalled()
  })

  it('sends the reason only with full ID numbers, and the password, and reloads the log', async () => {
    vi.mocked(cityExport).mockResolvedValue({ path: '/tmp/a.zip', log: {} as never })
    vi.mocked(exportLog).mockResolvedValue([])
    const form = useCityExport(new Date(2026, 10, 30))
    form.reason.value = '留着'
    expect(await form.run('上报密码2026')).toEqual({ ok: true, path: '/tmp/a.zip' })
    expect(cityExport).toHaveBeenCalledWith({
      from_month: '2026-09',
      to_month: '2026-11',
      format: 'json',
      include_id_numbers: false,
      reason: '',
      password: '上报密码2026',
    })
    expect(exportLog).toHaveBeenCalled()
  })
})
