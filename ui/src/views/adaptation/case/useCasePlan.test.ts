import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import type { AdaptationCatalog } from '@/bindings/AdaptationCatalog'
import type { CaseDetail } from '@/bindings/CaseDetail'
import type { CatalogItem } from '@/bindings/CatalogItem'
import { adaptationCatalog, saveCasePlan, signCasePlan } from '@/api/adaptation'
import { caseDetailAt } from './caseDetailFixture'
import { catalogCategories, previewPlan, useCasePlan } from './useCasePlan'

vi.mock('@/api/adaptation', () => ({ adaptationCatalog: vi.fn(), saveCasePlan: vi.fn(), signCasePlan: vi.fn() }))

const item = (code: string, category: string, name: string, basic: boolean, unit_price: number): CatalogItem => ({
  code,
  category,
  name,
  basic,
  unit_price,
  unit: '处',
})

const items = [
  item('A01', '地面改造', '防滑处理', true, 6000),
  item('A02', '地面改造', '高差处理', true, 30000),
  item('A03', '地面改造', '平整硬化', false, 8000),
  item('A11', '卧室改造', '安装床边护栏（抓杆）', true, 30000),
  item('A20', '物理环境改造', '安装自动感应灯具', false, 8000),
  item('A24', '老年用品配置', '手杖', true, 5000),
]
const catalog: AdaptationCatalog = { policy_version: '2026-01', cap_rural: 200000, cap_urban: 400000, items }

describe('previewPlan', () => {
  it('subsidises the basic items and leaves the optional ones to the household', () => {
    expect(previewPlan(items, { A01: 6, A11: 2, A20: 3 }, 200000)).toEqual({
      basic: 96000,
      optional: 24000,
      total: 120000,
      subsidy: 96000,
      selfPaid: 24000,
      cap: 200000,
      overCap: 0,
    })
  })

  it('shows how far basic items go over the cap, the subsidy held at the cap', () => {
    // 5 × 300 + 2 × 300 + 1 × 50 = 2,150 元 of basic items against a rural cap of 2,000 元.
    const preview = previewPlan(items, { A02: 5, A11: 2, A24: 1 }, 200000)
    expect([preview.basic, preview.subsidy, preview.selfPaid, preview.overCap]).toEqual([215000, 200000, 15000, 15000])
    expect(previewPlan(items, { A02: 5, A11: 2, A24: 1 }, 400000).overCap).toBe(0)
  })

  it('groups the catalog by category in its order', () => {
    expect(catalogCategories(items).map((category) => [category.index, category.name, category.items.length])).toEqual([
      [1, '地面改造', 3],
      [2, '卧室改造', 1],
      [3, '物理环境改造', 1],
      [4, '老年用品配置', 1],
    ])
  })
})

describe('useCasePlan', () => {
  beforeEach(() => {
    vi.mocked(adaptationCatalog).mockReset().mockResolvedValue(catalog)
    vi.mocked(saveCasePlan).mockReset()
    vi.mocked(signCasePlan).mockReset()
  })

  async function opened(detail: CaseDetail) {
    const plan = useCasePlan(ref(detail), () => new Date(2026, 10, 23, 9, 0, 0))
    await plan.loadCatalog()
    plan.reset()
    return plan
  }

  it('starts from the plan as saved, uses the household’s cap, and sees a change', async () => {
    const saved = caseDetailAt('plan', {
      case: { ...caseDetailAt('plan').case, plan: { A01: { catalog_code: 'A01', quantity: 6, unit_price: 6000, basic: true } } },
    })
    const plan = await opened(saved)
    expect(plan.quantities.A01).toBe(6)
    expect(plan.cap.value).toBe(200000)
    expect(plan.changed.value).toBe(false)
    expect(plan.editable.value).toBe(true)

    plan.quantities.A20 = 2
    expect(plan.changed.value).toBe(true)
    expect(plan.preview.value.total).toBe(52000)
  })

  it('sends the lines with a quantity, in catalog order', async () => {
    vi.mocked(saveCasePlan).mockResolvedValue(caseDetailAt('plan'))
    const plan = await opened(caseDetailAt('application'))
    plan.quantities.A24 = 1
    plan.quantities.A01 = 10
    plan.quantities.A03 = 0

    expect(await plan.save()).not.toBeNull()
    expect(saveCasePlan).toHaveBeenCalledWith({
      case_id: 'case-1',
      items: [
        { catalog_code: 'A01', quantity: 10 },
        { catalog_code: 'A24', quantity: 1 },
      ],
    })
  })

  it('a plan over the cap is refused with the backend’s message and keeps the quantities', async () => {
    const message = '改造方案的基础项目合计 2,150.00 元，超出农村家庭每户 2,000.00 元的补贴上限'
    vi.mocked(saveCasePlan).mockRejectedValue({ code: 'invalid', message })
    const plan = await opened(caseDetailAt('plan'))
    Object.assign(plan.quantities, { A02: 5, A11: 2, A24: 1 })
    expect(plan.preview.value.overCap).toBe(15000)

    expect(await plan.save()).toBeNull()
    expect(plan.error.value?.message).toBe(message)
    expect({ ...plan.quantities }).toEqual({ A02: 5, A11: 2, A24: 1 })
  })

  it('is read-only once 改造方案 is done', async () => {
    expect((await opened(caseDetailAt('construction'))).editable.value).toBe(false)
  })

  it('signs with today’s date and the signer typed (empty for the elder)', async () => {
    vi.mocked(signCasePlan).mockResolvedValue(caseDetailAt('plan'))
    const plan = await opened(caseDetailAt('plan'))
    expect(plan.signature.signedOn).toBe('2026-11-23')
    await plan.sign()
    expect(signCasePlan).toHaveBeenCalledWith({ case_id: 'case-1', signed_on: '2026-11-23', signer: '' })
  })
})
