import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import type { DinerRow } from '@/bindings/DinerRow'
import type { ElderPage } from '@/bindings/ElderPage'
import { searchElders } from '@/api/elders'
import { enrollDiner, leaveDiner, mealDiners } from '@/api/meals'
import { useMealDiners } from './useMealDiners'

vi.mock('@/api/elders', () => ({ searchElders: vi.fn() }))
vi.mock('@/api/meals', () => ({ mealDiners: vi.fn(), enrollDiner: vi.fn(), leaveDiner: vi.fn() }))

const flush = async () => {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

const diner = (id: string, elder_name: string) => ({ diner: { id }, elder_name }) as DinerRow

describe('useMealDiners', () => {
  beforeEach(() => {
    vi.mocked(mealDiners).mockReset().mockResolvedValue([diner('d-1', '张建国'), diner('d-2', '李秀英')])
    vi.mocked(enrollDiner).mockReset()
    vi.mocked(leaveDiner).mockReset()
    vi.mocked(searchElders).mockReset()
  })

  it('lists the point’s diners, and those who left when asked', async () => {
    const pointId = ref<string | null>('p-1')
    const diners = useMealDiners(pointId, ref('360733105000'))
    await diners.load()
    expect(mealDiners).toHaveBeenCalledWith({ point_id: 'p-1', include_left: false })
    expect(diners.diners.value.map((row) => row.elder_name)).toEqual(['张建国', '李秀英'])

    diners.includeLeft.value = true
    await flush()
    expect(mealDiners).toHaveBeenLastCalledWith({ point_id: 'p-1', include_left: true })
  })

  it('finds elders to enroll within the township, and enrolls the one chosen from today', async () => {
    vi.mocked(searchElders).mockResolvedValue({ items: [{ id: 'e-9', name: '王福' }], total: 1, page: 1, page_size: 20 } as ElderPage)
    const diners = useMealDiners(ref('p-1'), ref('360733105000'))
    diners.startEnroll(['take_away', 'dine_in'])
    await diners.findElders('wf')

    expect(searchElders).toHaveBeenCalledWith({
      place_code: '360733105000',
      query: 'wf',
      include_inactive: false,
      page: 1,
      page_size: 20,
    })
    diners.enrollForm.value.elderId = 'e-9'
    expect(await diners.enroll()).toBe(true)
    expect(enrollDiner).toHaveBeenCalledWith({
      point_id: 'p-1',
      elder_id: 'e-9',
      enrolled_on: diners.enrollForm.value.enrolledOn,
      usual_mode: 'take_away',
    })
    expect(diners.enrollForm.value.enrolledOn).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  })

  it('keeps the chosen elder and shows the backend message when the enrollment is refused', async () => {
    vi.mocked(enrollDiner).mockRejectedValue({ code: 'invalid', message: '该老人已在本助餐点登记就餐' })
    const diners = useMealDiners(ref('p-1'), ref('360733105000'))
    diners.startEnroll(['dine_in'])
    diners.enrollForm.value.elderId = 'e-1'

    expect(await diners.enroll()).toBe(false)
    expect(diners.error.value?.message).toBe('该老人已在本助餐点登记就餐')
    expect(diners.enrollForm.value.elderId).toBe('e-1')
  })

  it('ends an enrollment from a date and lists the diners again', async () => {
    const diners = useMealDiners(ref('p-1'), ref('360733105000'))
    expect(await diners.leave('d-2', '2026-12-01')).toBe(true)

    expect(leaveDiner).toHaveBeenCalledWith({ diner_id: 'd-2', left_on: '2026-12-01' })
    expect(mealDiners).toHaveBeenCalledOnce()
  })
})
