import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import type { AdaptationEligibility } from '@/bindings/AdaptationEligibility'
import type { CaseDetail } from '@/bindings/CaseDetail'
import type { ElderPage } from '@/bindings/ElderPage'
import { adaptationEligibility, openAdaptationCase } from '@/api/adaptation'
import { searchElders } from '@/api/elders'
import { useNewCase } from './useNewCase'

vi.mock('@/api/adaptation', () => ({ adaptationEligibility: vi.fn(), openAdaptationCase: vi.fn() }))
vi.mock('@/api/elders', () => ({ searchElders: vi.fn() }))

const answer = (eligible: boolean, open_case_id: string | null = null): AdaptationEligibility => ({
  elder_id: 'elder-1',
  elder_name: '王秀英',
  age: 84,
  economic_status: eligible ? 'dibao' : 'none',
  categories: [],
  urban: false,
  cap: 200000,
  eligibility: {
    eligible,
    summary: eligible ? '符合改造条件：家庭经济状况为低保，属于改造对象，老人年满80周岁' : '不符合改造条件：家庭经济状况为「无」',
    reasons: [],
  },
  open_case_id,
})

async function chosen(eligible: boolean, openCase: string | null = null) {
  vi.mocked(searchElders).mockResolvedValue({ items: [{ id: 'elder-1', name: '王秀英' }], total: 1, page: 1, page_size: 50 } as ElderPage)
  vi.mocked(adaptationEligibility).mockResolvedValue(answer(eligible, openCase))
  const newCase = useNewCase(ref('360733105000'))
  newCase.start()
  await newCase.findElders('wxy')
  await newCase.chooseElder('elder-1')
  return newCase
}

describe('useNewCase', () => {
  beforeEach(() => {
    vi.mocked(searchElders).mockReset()
    vi.mocked(adaptationEligibility).mockReset()
    vi.mocked(openAdaptationCase).mockReset()
  })

  it('finds elders in the township, asks whether the household may apply, and starts the elder as applicant', async () => {
    const newCase = await chosen(true)

    expect(searchElders).toHaveBeenCalledWith({ place_code: '360733105000', query: 'wxy', include_inactive: false, page: 1, page_size: 50 })
    expect(adaptationEligibility).toHaveBeenCalledWith({ id: 'elder-1' })
    expect(newCase.canOpen.value).toBe(true)
    expect([newCase.form.applicantName, newCase.form.applicantRelation, newCase.form.dwellingOwner]).toEqual(['王秀英', '本人', '王秀英'])
  })

  it('cannot open an ineligible household, nor one whose case is still open', async () => {
    expect((await chosen(false)).canOpen.value).toBe(false)
    expect((await chosen(true, 'case-9')).canOpen.value).toBe(false)
  })

  it('opens the case with the application as typed, trimmed', async () => {
    vi.mocked(openAdaptationCase).mockResolvedValue({ case: { id: 'case-1' } } as CaseDetail)
    const newCase = await chosen(true)
    newCase.form.dwellingOwner = ' 李国强 '
    newCase.form.ownerConsentNeeded = true
    newCase.form.notes = ' 卫生间地面湿滑 '

    expect((await newCase.open())?.case.id).toBe('case-1')
    expect(openAdaptationCase).toHaveBeenCalledWith({
      elder_id: 'elder-1',
      application: {
        applicant_name: '王秀英',
        applicant_relation: '本人',
        dwelling_owner: '李国强',
        owner_consent_needed: true,
        neighbour_consent_needed: false,
      },
      notes: '卫生间地面湿滑',
    })
  })

  it('lists what the form lacks before sending', async () => {
    const newCase = await chosen(true)
    newCase.form.applicantName = ' '
    newCase.form.dwellingOwner = ''

    expect(await newCase.open()).toBeNull()
    expect(openAdaptationCase).not.toHaveBeenCalled()
    expect(newCase.problems.value).toEqual(['请填写申请人', '请填写房屋产权人'])
  })

  it('a refused opening keeps the form and shows the backend message', async () => {
    const refusal = '该户不符合改造条件：家庭经济状况为「无」，不属于特困供养(集中)、低保家庭'
    vi.mocked(openAdaptationCase).mockRejectedValue({ code: 'invalid', message: refusal })
    const newCase = await chosen(true)
    newCase.form.notes = '门槛过高'

    expect(await newCase.open()).toBeNull()
    expect(newCase.error.value?.message).toBe(refusal)
    expect([newCase.form.elderId, newCase.form.notes]).toEqual(['elder-1', '门槛过高'])
  })
})
