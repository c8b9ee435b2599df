import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { PlaceNode } from '@/bindings/PlaceNode'
import type { ReferralRow } from '@/bindings/ReferralRow'
import type { Visit } from '@/bindings/Visit'
import { placeTree } from '@/api/elders'
import { referrals, updateReferral } from '@/api/visits'
import { useReferrals } from './useReferrals'

vi.mock('@/api/elders', () => ({ placeTree: vi.fn() }))
vi.mock('@/api/visits', () => ({ referrals: vi.fn(), updateReferral: vi.fn() }))

const flush = async () => {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

const township = (code: string): PlaceNode => ({ code, name: code, level: 'township', elders: 10, children: [] })
const row = (elder_name: string, status: ReferralRow['referral']['status']) =>
  ({ visit_id: `visit-${elder_name}`, referral_id: `referral-${elder_name}`, elder_name, referral: { status } }) as ReferralRow

describe('useReferrals', () => {
  beforeEach(() => {
    vi.mocked(placeTree).mockReset().mockResolvedValue([township('360733100000'), township('360733101000')])
    vi.mocked(referrals).mockReset().mockResolvedValue([row('张建国', 'open'), row('李秀英', 'in_progress')])
    vi.mocked(updateReferral).mockReset().mockResolvedValue({} as Visit)
  })

  it('loads the first township’s open referrals, and again with the place and 含已办结 chosen', async () => {
    const list = useReferrals()
    await list.open()
    await flush()

    expect(referrals).toHaveBeenCalledOnce()
    expect(referrals).toHaveBeenCalledWith({ place_code: '360733100000', include_closed: false })
    expect(list.rows.value.map((shown) => shown.elder_name)).toEqual(['张建国', '李秀英'])

    list.placeCode.value = '360733101200'
    await flush()
    list.includeClosed.value = true
    await flush()

    expect(placeTree).toHaveBeenCalledOnce()
    expect(referrals).toHaveBeenCalledTimes(3)
    expect(referrals).toHaveBeenLastCalledWith({ place_code: '360733101200', include_closed: true })
  })

  it('shows the backend message when the referrals cannot be loaded', async () => {
    vi.mocked(referrals).mockRejectedValue({ code: 'database', message: '数据库无法打开' })
    const list = useReferrals()
    await list.open()
    await flush()

    expect(list.error.value).toEqual({ code: 'database', message: '数据库无法打开', problems: [] })
    expect(list.rows.value).toEqual([])
    expect(list.loading.value).toBe(false)
  })

  it('sends 开始处理 as in_progress for that referral and then loads the list again', async () => {
    const list = useReferrals()
    await list.open()
    await flush()
    vi.mocked(referrals).mockResolvedValue([row('张建国', 'in_progress'), row('李秀英', 'in_progress')])

    expect(await list.setStatus(list.rows.value[0]!, 'in_progress')).toBe(true)

    expect(updateReferral).toHaveBeenCalledWith({ visit_id: 'visit-张建国', referral_id: 'referral-张建国', status: 'in_progress' })
    expect(referrals).toHaveBeenCalledTimes(2)
    expect(list.rows.value[0]?.referral.status).toBe('in_progress')
    expect(list.updating.value).toBeNull()
  })

  it('shows why a referral cannot change, such as one already closed, and keeps the list', async () => {
    vi.mocked(updateReferral).mockRejectedValue({ code: 'invalid', message: '转介已办结，不能再更改' })
    const list = useReferrals()
    await list.open()
    await flush()

    expect(await list.setStatus(list.rows.value[0]!, 'closed')).toBe(false)

    expect(list.error.value?.message).toBe('转介已办结，不能再更改')
    expect(list.rows.value).toHaveLength(2)
    expect(referrals).toHaveBeenCalledOnce()
  })
})
