import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { MealPointRow } from '@/bindings/MealPointRow'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { placeTree } from '@/api/elders'
import { mealPoints } from '@/api/meals'
import { useMealPointChoice } from './useMealPointChoice'

vi.mock('@/api/elders', () => ({ placeTree: vi.fn() }))
vi.mock('@/api/meals', () => ({ mealPoints: vi.fn() }))

const flush = async () => {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

const township = (code: string, name: string): PlaceNode => ({ code, name, level: 'township', elders: 10, children: [] })
const pointRow = (id: string, name: string, township_code: string) =>
  ({ point: { id, name, township_code }, diners: 3 }) as MealPointRow

describe('useMealPointChoice', () => {
  let stored: Map<string, string>
  beforeEach(() => {
    stored = new Map()
    vi.stubGlobal('localStorage', {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => void stored.set(key, value),
      removeItem: (key: string) => void stored.delete(key),
    })
    vi.mocked(placeTree)
      .mockReset()
      .mockResolvedValue([township('360733105000', '庄口镇'), township('360733106000', '白鹅乡')])
    vi.mocked(mealPoints)
      .mockReset()
      .mockImplementation(async ({ township_code }) =>
        township_code === '360733105000'
          ? [pointRow('p-home', '庄口敬老院助餐点', township_code), pointRow('p-aid', '白沙互助幸福院', township_code)]
          : [pointRow('p-other', '白鹅敬老院助餐点', township_code)],
      )
  })
  afterEach(() => vi.unstubAllGlobals())

  it('opens on the first township and its first point, and remembers both', async () => {
    const choice = useMealPointChoice()
    await choice.open()

    expect(choice.townshipCode.value).toBe('360733105000')
    expect(choice.pointId.value).toBe('p-home')
    expect(choice.point.value?.name).toBe('庄口敬老院助餐点')
    expect(mealPoints).toHaveBeenCalledOnce()
    await flush()
    expect(stored.get('xianglin.meals.township')).toBe('360733105000')
    expect(stored.get('xianglin.meals.point')).toBe('p-home')
  })

  it('reopens on the point chosen last time', async () => {
    stored.set('xianglin.meals.township', '360733105000')
    stored.set('xianglin.meals.point', 'p-aid')
    const choice = useMealPointChoice()
    await choice.open()

    expect(choice.pointId.value).toBe('p-aid')
  })

  it('another township shows its own points and drops the chosen one', async () => {
    const choice = useMealPointChoice()
    await choice.open()
    choice.townshipCode.value = '360733106000'
    await flush()

    expect(choice.points.value.map((row) => row.point.id)).toEqual(['p-other'])
    expect(choice.pointId.value).toBe('p-other')
  })

  it('shows the backend message when the points cannot be read', async () => {
    vi.mocked(mealPoints).mockRejectedValue({ code: 'database', message: '数据库无法打开' })
    const choice = useMealPointChoice()
    await choice.open()

    expect(choice.error.value?.message).toBe('数据库无法打开')
    expect(choice.pointId.value).toBeNull()
  })
})
