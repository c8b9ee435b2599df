import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import type { MealCell } from '@/bindings/MealCell'
import type { MealRoster } from '@/bindings/MealRoster'
import type { MealRosterRow } from '@/bindings/MealRosterRow'
import type { MealSet } from '@/bindings/MealSet'
import type { SetMeal } from '@/bindings/SetMeal'
import { copyMealDay, mealRoster, setMeal } from '@/api/meals'
import { addDays, rowMoney, useMealRoster, type GridKey } from './useMealRoster'

vi.mock('@/api/meals', () => ({ mealRoster: vi.fn(), setMeal: vi.fn(), copyMealDay: vi.fn() }))

const flush = async () => {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

const key = (name: string, extra: Partial<GridKey> = {}): GridKey => ({
  key: name,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  ...extra,
})

const row = (elder_id: string, elder_name: string, name_pinyin: string, name_initials: string): MealRosterRow => ({
  elder_id,
  elder_name,
  name_pinyin,
  name_initials,
  age: 80,
  band: '75–84岁',
  usual_mode: 'dine_in',
  cells: {},
  blocked: null,
})

const cell = (subsidy: number, self_paid: number, mode: MealCell['mode'] = 'dine_in'): MealCell => ({
  meal_id: 'm-1',
  mode,
  proxy: null,
  self_paid,
  subsidy,
  note: '',
})

/** Five diners in pinyin order, as the backend sorts them; 李秀英 has already had lunch. */
function roster(date = '2026-11-30'): MealRoster {
  const rows = [
    row('e-chen', '陈桂兰', 'chenguilan', 'cgl'),
    row('e-li', '李秀英', 'lixiuying', 'lxy'),
    row('e-liu', '刘福', 'liufu', 'lf'),
    row('e-wang', '王福', 'wangfu', 'wf'),
    row('e-zhang', '张建国', 'zhangjianguo', 'zjg'),
  ]
  rows[1]!.cells.lunch = cell(500, 700)
  return {
    point: { id: 'p-1', name: '庄口敬老院助餐点', modes: ['dine_in', 'take_away', 'delivery'] } as MealRoster['point'],
    date,
    slots: ['breakfast', 'lunch', 'dinner'],
    closed: null,
    locked: null,
    rows,
    totals: { diners: 1, meals: 1, subsidy: 500, self_paid: 700 },
    previous_day: '2026-11-27',
  }
}

/** What the backend answers to a tick: the line with the meal (subsidy 800 for lunch) and new totals. */
function answerTo(request: SetMeal, totals = { diners: 2, meals: 2, subsidy: 1300, self_paid: 1100 }): MealSet {
  const line = roster().rows.find((candidate) => candidate.elder_id === request.elder_id)!
  line.cells = request.eaten ? { [request.slot]: { ...cell(800, 400, request.mode), meal_id: `m-${request.elder_id}` } } : {}
  return { row: line, totals }
}

async function opened(now = () => new Date(2026, 10, 30, 9, 0, 0)) {
  const pointId = ref<string | null>(null)
  const shown = useMealRoster(pointId, now)
  pointId.value = 'p-1'
  await flush()
  return shown
}

describe('useMealRoster', () => {
  beforeEach(() => {
    vi.mocked(mealRoster).mockReset().mockImplementation(async ({ date }) => roster(date))
    vi.mocked(setMeal).mockReset().mockImplementation(async (request) => answerTo(request))
    vi.mocked(copyMealDay).mockReset()
  })

  it('opens on today with the focus on the first diner’s lunch', async () => {
    const shown = await opened()

    expect(mealRoster).toHaveBeenCalledWith({ point_id: 'p-1', date: '2026-11-30' })
    expect(shown.roster.value?.rows).toHaveLength(5)
    expect(shown.totals.value).toEqual({ diners: 1, meals: 1, subsidy: 500, self_paid: 700 })
    expect([shown.focus.row, shown.focus.slot]).toEqual([0, 1])
    expect(shown.focusedRow.value?.elder_name).toBe('陈桂兰')
    expect(shown.focusedSlot.value).toBe('lunch')
  })

  it('arrow keys move the focus and stop at the edges; Home, End and the page keys jump', async () => {
    const shown = await opened()

    expect(shown.onKey(key('ArrowUp'))).toBe('handled')
    expect(shown.focus.row).toBe(0)
    shown.onKey(key('ArrowDown'))
    shown.onKey(key('ArrowDown'))
    expect(shown.focus.row).toBe(2)
    shown.onKey(key('ArrowRight'))
    shown.onKey(key('ArrowRight'))
    expect(shown.focusedSlot.value).toBe('dinner')
    shown.onKey(key('ArrowLeft'))
    shown.onKey(key('ArrowLeft'))
    shown.onKey(key('ArrowLeft'))
    expect(shown.focusedSlot.value).toBe('breakfast')
    shown.onKey(key('End'))
    expect(shown.focus.row).toBe(4)
    shown.onKey(key('ArrowDown'))
    expect(shown.focus.row).toBe(4)
    shown.onKey(key('Home'))
    expect(shown.focus.row).toBe(0)
    shown.onKey(key('PageDown'))
    expect(shown.focus.row).toBe(4)
    shown.onKey(key('PageUp'))
    expect(shown.focus.row).toBe(0)
  })

  it('leaves keys it does not know, and Alt or Ctrl combinations, to the page', async () => {
    const shown = await opened()

    expect(shown.onKey(key('Tab'))).toBeNull()
    expect(shown.onKey(key('F5'))).toBeNull()
    expect(shown.onKey(key('a', { ctrlKey: true }))).toBeNull()
    expect(shown.onKey(key('ArrowDown', { altKey: true }))).toBeNull()
    expect(shown.onKey(key('Enter'))).toBe('edit')
    expect(shown.focus.row).toBe(0)
  })

  it('Space ticks the focused lunch in the diner’s usual mode at once, then takes the saved cell and the day’s totals', async () => {
    const shown = await opened()

    expect(shown.onKey(key(' '))).toBe('handled')
    // Shown before the backend answers.
    expect(shown.roster.value?.rows[0]?.cells.lunch?.mode).toBe('dine_in')
    expect(shown.isPending('e-chen', 'lunch')).toBe(true)
    expect(shown.saving.value).toBe(1)
    await flush()

    expect(setMeal).toHaveBeenCalledWith({
      point_id: 'p-1',
      elder_id: 'e-chen',
      date: '2026-11-30',
      slot: 'lunch',
      eaten: true,
      mode: 'dine_in',
      proxy: null,
      self_paid: null,
    })
    expect(shown.roster.value?.rows[0]?.cells.lunch).toEqual({ ...cell(800, 400), meal_id: 'm-e-chen' })
    expect(shown.totals.value).toEqual({ diners: 2, meals: 2, subsidy: 1300, self_paid: 1100 })
    expect(shown.saving.value).toBe(0)
  })

  it('Space on a ticked cell unticks it', async () => {
    const shown = await opened()
    shown.onKey(key('ArrowDown'))
    shown.onKey(key(' '))
    expect(shown.roster.value?.rows[1]?.cells.lunch).toBeUndefined()
    await flush()

    expect(setMeal).toHaveBeenCalledWith(expect.objectContaining({ elder_id: 'e-li', slot: 'lunch', eaten: false }))
    expect(shown.roster.value?.rows[1]?.cells.lunch).toBeUndefined()
  })

  it('the keys 1, 2 and 3 record the meal eaten in, taken away or delivered', async () => {
    const shown = await opened()
    shown.onKey(key('3'))
    await flush()

    expect(setMeal).toHaveBeenLastCalledWith(expect.objectContaining({ elder_id: 'e-chen', eaten: true, mode: 'delivery' }))
    expect(shown.roster.value?.rows[0]?.cells.lunch?.mode).toBe('delivery')
  })

  it('a run of ticks is saved one after another, and the shown totals are the last answer’s', async () => {
    const answers: Array<(set: MealSet) => void> = []
    const requests: SetMeal[] = []
    vi.mocked(setMeal).mockImplementation(
      (request) =>
        new Promise((resolve) => {
          requests.push(request)
          answers.push(resolve)
        }),
    )
    const shown = await opened()
    shown.onKey(key(' '))
    shown.onKey(key('ArrowDown'))
    shown.onKey(key('ArrowDown'))
    shown.onKey(key(' '))
    await flush()
    // The second waits for the first.
    expect(requests.map((request) => request.elder_id)).toEqual(['e-chen'])
    expect(shown.saving.value).toBe(2)

    answers[0]!(answerTo(requests[0]!, { diners: 2, meals: 2, subsidy: 1300, self_paid: 1100 }))
    await flush()
    expect(requests.map((request) => request.elder_id)).toEqual(['e-chen', 'e-liu'])
    answers[1]!(answerTo(requests[1]!, { diners: 3, meals: 3, subsidy: 2100, self_paid: 1500 }))
    await flush()

    expect(shown.totals.value).toEqual({ diners: 3, meals: 3, subsidy: 2100, self_paid: 1500 })
    expect(shown.saving.value).toBe(0)
  })

  it('a refused tick puts the cell back and shows the backend’s message; the totals stay', async () => {
    vi.mocked(setMeal).mockRejectedValue({ code: 'invalid', message: '该老人当日午餐已在白沙互助幸福院登记，不能重复登记' })
    const shown = await opened()
    shown.onKey(key(' '))
    expect(shown.roster.value?.rows[0]?.cells.lunch).toBeDefined()
    await flush()

    expect(shown.roster.value?.rows[0]?.cells.lunch).toBeUndefined()
    expect(shown.error.value).toEqual({ code: 'invalid', message: '该老人当日午餐已在白沙互助幸福院登记，不能重复登记', problems: [] })
    expect(shown.totals.value.meals).toBe(1)
    expect(shown.isPending('e-chen', 'lunch')).toBe(false)
  })

  it('a refused untick puts the meal back as it was', async () => {
    vi.mocked(setMeal).mockRejectedValue({ code: 'invalid', message: '2026-11的结算已提交，正在等待县级审核' })
    const shown = await opened()
    shown.moveTo(1, 1)
    shown.onKey(key(' '))
    await flush()

    expect(shown.roster.value?.rows[1]?.cells.lunch).toEqual(cell(500, 700))
    expect(shown.error.value?.message).toBe('2026-11的结算已提交，正在等待县级审核')
  })

  it('a locked day, a blocked diner and a closed day are refused without asking the backend', async () => {
    vi.mocked(mealRoster).mockImplementation(async ({ date }) => {
      const answer = roster(date)
      if (date === '2026-10-30') answer.locked = '2026-10的结算已于2026-11-08经县级审核锁定，更正请登记调整'
      if (date === '2026-11-29') answer.closed = '非供餐日'
      answer.rows[0]!.blocked = '已于2026-11-02去世'
      return answer
    })
    const shown = await opened()

    shown.onKey(key(' '))
    expect(shown.notice.value?.message).toBe('陈桂兰已于2026-11-02去世，不能登记就餐')

    shown.date.value = '2026-11-29'
    await flush()
    shown.moveTo(2, 1)
    shown.onKey(key(' '))
    expect(shown.notice.value?.message).toBe('2026-11-29 本助餐点不供餐：非供餐日')
    // A meal recorded on a closed day by mistake can still be taken off.
    shown.moveTo(1, 1)
    shown.onKey(key(' '))
    await flush()
    expect(setMeal).toHaveBeenCalledOnce()
    expect(setMeal).toHaveBeenCalledWith(expect.objectContaining({ elder_id: 'e-li', eaten: false }))

    shown.date.value = '2026-10-30'
    await flush()
    expect(shown.editable.value).toBe(false)
    shown.moveTo(2, 1)
    shown.onKey(key(' '))
    expect(shown.notice.value?.message).toBe('2026-10的结算已于2026-11-08经县级审核锁定，更正请登记调整')
    expect(setMeal).toHaveBeenCalledOnce()
  })

  describe('type-to-find', () => {
    let time: number
    const now = () => new Date(time)
    beforeEach(() => {
      time = new Date(2026, 10, 30, 9, 0, 0).getTime()
    })
    const type = (shown: Awaited<ReturnType<typeof opened>>, letters: string, gap = 100) => {
      for (const letter of letters) {
        shown.onKey(key(letter))
        time += gap
      }
    }

    it('jumps to the next diner whose initials or full pinyin start with what was typed', async () => {
      const shown = await opened(now)

      type(shown, 'zjg')
      expect(shown.focusedRow.value?.elder_name).toBe('张建国')
      expect(shown.findText.value).toBe('zjg')
      time += 2000
      type(shown, 'liu')
      expect(shown.focusedRow.value?.elder_name).toBe('刘福')
      expect(shown.findMissed.value).toBe(false)
    })

    it('typed letters make one search within a second; after a pause a new search starts', async () => {
      const shown = await opened(now)

      type(shown, 'w')
      expect(shown.focusedRow.value?.elder_name).toBe('王福')
      time += 1500
      type(shown, 'l')
      // A new search starts below the focused diner and goes round the end.
      expect(shown.focusedRow.value?.elder_name).toBe('李秀英')
    })

    it('the same letter again steps to the next diner with that letter', async () => {
      const shown = await opened(now)

      type(shown, 'l')
      expect(shown.focusedRow.value?.elder_name).toBe('李秀英')
      type(shown, 'l')
      expect(shown.focusedRow.value?.elder_name).toBe('刘福')
      type(shown, 'l')
      expect(shown.focusedRow.value?.elder_name).toBe('李秀英')
    })

    it('a search that matches nobody keeps the focus and says so', async () => {
      const shown = await opened(now)
      shown.moveTo(2, 1)

      type(shown, 'xq')
      expect(shown.focus.row).toBe(2)
      expect(shown.findMissed.value).toBe(true)
      expect(shown.onKey(key('Escape'))).toBe('handled')
      expect(shown.findText.value).toBe('')
    })

    it('keeps the slot while jumping between diners', async () => {
      const shown = await opened(now)
      shown.onKey(key('ArrowRight'))
      type(shown, 'zh')

      expect(shown.focusedRow.value?.elder_name).toBe('张建国')
      expect(shown.focusedSlot.value).toBe('dinner')
    })
  })

  it('saves a cell’s details from the side panel: mode, 代办 trimmed, and an amount the station entered', async () => {
    const shown = await opened()
    await shown.saveCell({ row: 2, slot: 1 }, { mode: 'take_away', proxy: '  刘家儿媳 ', selfPaid: 600 })

    expect(setMeal).toHaveBeenCalledWith(
      expect.objectContaining({ elder_id: 'e-liu', eaten: true, mode: 'take_away', proxy: '刘家儿媳', self_paid: 600 }),
    )
  })

  it('keeps the focus on the same diner when another day is shown', async () => {
    vi.mocked(mealRoster).mockImplementation(async ({ date }) => {
      const answer = roster(date)
      if (date === '2026-11-27') answer.rows.shift()
      return answer
    })
    const shown = await opened()
    shown.moveTo(3, 2)
    shown.shiftDay(-3)
    await flush()

    expect(mealRoster).toHaveBeenLastCalledWith({ point_id: 'p-1', date: '2026-11-27' })
    expect(shown.focusedRow.value?.elder_name).toBe('王福')
    expect(shown.focusedSlot.value).toBe('dinner')
  })

  it('copies the previous day with meals and shows the day it answers with', async () => {
    vi.mocked(copyMealDay).mockImplementation(async ({ to }) => ({
      ...roster(to),
      totals: { diners: 4, meals: 5, subsidy: 2900, self_paid: 3000 },
    }))
    const shown = await opened()

    expect(await shown.copyPreviousDay()).toBe(4)
    expect(copyMealDay).toHaveBeenCalledWith({ point_id: 'p-1', from: '2026-11-27', to: '2026-11-30' })
    expect(shown.totals.value.meals).toBe(5)
  })

  it('adds up a line’s subsidy and self-pay', () => {
    const line = row('e-1', '王福', 'wangfu', 'wf')
    line.cells = { breakfast: cell(0, 500), lunch: cell(800, 400) }
    expect(rowMoney(line)).toEqual({ subsidy: 800, selfPaid: 900 })
  })

  it('moves a day across the end of a month', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
  })
})
