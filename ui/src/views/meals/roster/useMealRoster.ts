import { computed, reactive, ref, watch, type Ref } from 'vue'
import type { MealCell } from '@/bindings/MealCell'
import type { MealDayTotals } from '@/bindings/MealDayTotals'
import type { MealMode } from '@/bindings/MealMode'
import type { MealRoster } from '@/bindings/MealRoster'
import type { MealRosterRow } from '@/bindings/MealRosterRow'
import type { MealSlot } from '@/bindings/MealSlot'
import type { SetMeal } from '@/bindings/SetMeal'
import { toAppError, type AppError } from '@/api/error'
import { copyMealDay, mealRoster, setMeal } from '@/api/meals'
import { enumLabel, i18n } from '@/locales'
import { localDateTime } from '@/utils/time'
import { clock } from '@/utils/clock'

/** The keys that record a meal with a given mode: 1 堂食, 2 自取, 3 送餐. */
export const modeKeys: Readonly<Record<string, MealMode>> = { '1': 'dine_in', '2': 'take_away', '3': 'delivery' }

/** How far PageUp and PageDown move. */
const pageRows = 10

/** The day of `date` as "YYYY-MM-DD", in local time. */
export const dayOf = (date: Date) => localDateTime(date).slice(0, 10)

/** "2026-11-30" moved by `days`: addDays("2026-11-30", 1) is "2026-12-01". */
export function addDays(day: string, days: number): string {
  const [year = 1970, month = 1, date = 1] = day.split('-').map(Number)
  return dayOf(new Date(year, month - 1, date + days))
}

/** What one meal is recorded as; `selfPaid` null lets the backend compute it. */
export interface MealChange {
  eaten: boolean
  mode: MealMode
  proxy: string | null
  selfPaid: number | null
}

/** A cell of the grid: a row index and an index into the roster's slots. */
export interface CellPosition {
  row: number
  slot: number
}

/** The part of a keydown the grid looks at. */
export type GridKey = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'altKey' | 'metaKey'>

/** What a key did: moved, saved or searched (`handled`), asked for the cell's details (`edit`), or nothing. */
export type KeyOutcome = 'handled' | 'edit' | null

const cellKey = (elderId: string, slot: MealSlot) => `${elderId}/${slot}`

/** The subsidy and self-pay of one diner's line. */
export function rowMoney(row: MealRosterRow): { subsidy: number; selfPaid: number } {
  let subsidy = 0
  let selfPaid = 0
  for (const cell of Object.values(row.cells)) {
    subsidy += cell.subsidy
    selfPaid += cell.self_paid
  }
  return { subsidy, selfPaid }
}

/** A diner who can have no meal that day (moved, deceased) and has none: the grid shows why instead of slots. */
export const closedOffLine = (row: MealRosterRow) => row.blocked !== null && Object.keys(row.cells).length === 0

/** The id of the grid cell at `position`, as the line renders it (see `closedOffLine`). */
export const cellId = (position: CellPosition, row: MealRosterRow | null) =>
  row && closedOffLine(row) ? `meal-cell-${position.row}-blocked` : `meal-cell-${position.row}-${position.slot}`

/**
 * One meal point's roster for one day, worked from the keyboard: a focused cell moved with the
 * arrows, Space to tick or untick it (saved at once, in the diner's usual mode), 1–3 to record it
 * with a mode, letters to jump to the next diner whose pinyin starts with what was typed.
 *
 * A tick shows at once and is saved in the background, one save after another, so the day's
 * totals always come from the newest answer; a refused save puts the cell back as it was and
 * sets `error` to the backend's message. Things the roster itself rules out (a locked month, a
 * closed day, a blocked diner) are refused without asking the backend, through `notice`.
 */
export function useMealRoster(pointId: Ref<string | null>, now: () => Date = clock.now, findResetMs = 1000) {
  const date = ref(dayOf(now()))
  const roster = ref<MealRoster | null>(null)
  const totals = ref<MealDayTotals>({ diners: 0, meals: 0, subsidy: 0, self_paid: 0 })
  const loading = ref(false)
  const copying = ref(false)
  const error = ref<AppError | null>(null)
  const notice = ref<{ message: string } | null>(null)
  const focus = reactive<CellPosition>({ row: 0, slot: 0 })
  /** Cells whose save has not answered yet, as "elder/slot". */
  const pending = reactive(new Set<string>())
  const saving = computed(() => pending.size)
  /** What type-to-find is looking for, while it is; and whether nothing matched. */
  const findText = ref('')
  const findMissed = ref(false)

  const editable = computed(() => roster.value !== null && roster.value.locked === null)
  const focusedRow = computed(() => roster.value?.rows[focus.row] ?? null)
  const focusedSlot = computed(() => roster.value?.slots[focus.slot] ?? null)

  // Every load starts a generation; a save answering for an earlier one leaves the totals alone.
  let generation = 0
  // Saves run one after another, so each answer's totals include every earlier tick.
  let queue: Promise<unknown> = Promise.resolve()

  async function load() {
    const id = pointId.value
    const thisLoad = ++generation
    if (id === null) {
      roster.value = null
      return
    }
    loading.value = true
    error.value = null
    try {
      const answer = await mealRoster({ point_id: id, date: date.value })
      if (thisLoad === generation) show(answer)
    } catch (rejection) {
      if (thisLoad === generation) {
        roster.value = null
        error.value = toAppError(rejection)
      }
    } finally {
      if (thisLoad === generation) loading.value = false
    }
  }

  /** Shows a roster, keeping the focus on the same diner and slot where the new day has them. */
  function show(answer: MealRoster) {
    const elderId = focusedRow.value?.elder_id
    const slot = focusedSlot.value ?? 'lunch'
    roster.value = answer
    totals.value = answer.totals
    const row = answer.rows.findIndex((candidate) => candidate.elder_id === elderId)
    focus.row = Math.min(Math.max(row, 0), Math.max(answer.rows.length - 1, 0))
    // Lunch first: it is the meal most diners have and the one the subsidy pays for.
    const kept = answer.slots.indexOf(slot)
    focus.slot = kept >= 0 ? kept : Math.max(answer.slots.indexOf('lunch'), 0)
  }

  function moveTo(row: number, slot: number) {
    const rows = roster.value?.rows.length ?? 0
    const slots = roster.value?.slots.length ?? 0
    focus.row = Math.min(Math.max(row, 0), Math.max(rows - 1, 0))
    focus.slot = Math.min(Math.max(slot, 0), Math.max(slots - 1, 0))
  }

  const refuse = (message: string) => {
    notice.value = { message }
    return Promise.resolve(false)
  }

  /**
   * Why a diner's slot cannot change to `eaten` today without asking the backend, if so. Unticking
   * stays possible on a closed day: a meal recorded there by mistake must be removable.
   */
  function refusal(row: MealRosterRow, eaten: boolean): string | null {
    const current = roster.value
    if (!current) return null
    if (current.locked) return current.locked
    if (row.blocked && eaten) return i18n.global.t('meals.roster.blockedRow', { name: row.elder_name, reason: row.blocked })
    if (current.closed && eaten) {
      return i18n.global.t('meals.roster.closed', { date: current.date, reason: current.closed })
    }
    return null
  }

  /**
   * Records one meal as `change` says, showing it at once. Resolves to whether it was saved;
   * a refusal puts the cell back and sets `error`. A cell still saving takes no new change.
   */
  function write(row: MealRosterRow, slot: MealSlot, change: MealChange): Promise<boolean> {
    const current = roster.value
    const key = cellKey(row.elder_id, slot)
    if (!current || pending.has(key)) return Promise.resolve(false)
    const why = refusal(row, change.eaten)
    if (why) return refuse(why)
    if (change.eaten && !current.point.modes.includes(change.mode)) {
      return refuse(i18n.global.t('meals.roster.notServed', { mode: enumLabel('meal_mode', change.mode) }))
    }
    const previous: MealCell | undefined = row.cells[slot]
    const thisGeneration = generation
    if (change.eaten) {
      row.cells[slot] = {
        meal_id: previous?.meal_id ?? '',
        mode: change.mode,
        proxy: change.proxy,
        self_paid: change.selfPaid ?? previous?.self_paid ?? 0,
        subsidy: previous?.subsidy ?? 0,
        note: previous?.note ?? '',
      }
    } else {
      delete row.cells[slot]
    }
    pending.add(key)
    const request: SetMeal = {
      point_id: current.point.id,
      elder_id: row.elder_id,
      date: current.date,
      slot,
      eaten: change.eaten,
      mode: change.mode,
      proxy: change.proxy,
      self_paid: change.selfPaid,
    }
    const saved = queue.then(async () => {
      try {
        const answer = await setMeal(request)
        const cell = answer.row.cells[slot]
        if (cell) row.cells[slot] = cell
        else delete row.cells[slot]
        row.band = answer.row.band
        row.blocked = answer.row.blocked
        if (thisGeneration === generation) totals.value = answer.totals
        return true
      } catch (rejection) {
        if (previous) row.cells[slot] = previous
        else delete row.cells[slot]
        error.value = toAppError(rejection)
        return false
      } finally {
        pending.delete(key)
      }
    })
    queue = saved
    return saved
  }

  const at = (position: CellPosition) => {
    const row = roster.value?.rows[position.row]
    const slot = roster.value?.slots[position.slot]
    return row && slot ? { row, slot } : null
  }

  /** Ticks an empty cell in the diner's usual mode, or unticks a ticked one. */
  function toggle(position: CellPosition = { ...focus }): Promise<boolean> {
    const cell = at(position)
    if (!cell) return Promise.resolve(false)
    const recorded = cell.row.cells[cell.slot]
    if (recorded) return write(cell.row, cell.slot, { eaten: false, mode: recorded.mode, proxy: null, selfPaid: null })
    return write(cell.row, cell.slot, { eaten: true, mode: cell.row.usual_mode, proxy: null, selfPaid: null })
  }

  /** Records the cell's meal in `mode` (a ticked one in another mode is saved again, its amount recomputed). */
  function tickWith(mode: MealMode, position: CellPosition = { ...focus }): Promise<boolean> {
    const cell = at(position)
    if (!cell) return Promise.resolve(false)
    const recorded = cell.row.cells[cell.slot]
    if (recorded?.mode === mode) return Promise.resolve(true)
    return write(cell.row, cell.slot, { eaten: true, mode, proxy: recorded?.proxy ?? null, selfPaid: null })
  }

  /** Saves the details of one cell (mode, 代办, an amount the station entered), ticking it if it was not. */
  function saveCell(position: CellPosition, change: Omit<MealChange, 'eaten'>): Promise<boolean> {
    const cell = at(position)
    if (!cell) return Promise.resolve(false)
    const proxy = change.proxy?.trim() || null
    return write(cell.row, cell.slot, { ...change, eaten: true, proxy })
  }

  /** Unticks one cell. */
  function untick(position: CellPosition): Promise<boolean> {
    const cell = at(position)
    const recorded = cell?.row.cells[cell.slot]
    if (!cell || !recorded) return Promise.resolve(false)
    return write(cell.row, cell.slot, { eaten: false, mode: recorded.mode, proxy: null, selfPaid: null })
  }

  // Type-to-find: letters typed within `findResetMs` of each other make one search.
  let lastLetterAt = -Infinity
  let clearFind: ReturnType<typeof setTimeout> | undefined

  const matches = (row: MealRosterRow, text: string) =>
    row.name_initials.startsWith(text) || row.name_pinyin.startsWith(text)

  /** Moves to the next diner, from `start` on and round the end, whose pinyin starts with `text`. */
  function findFrom(start: number, text: string): boolean {
    const rows = roster.value?.rows ?? []
    for (let step = 0; step < rows.length; step += 1) {
      const index = (start + step) % rows.length
      const row = rows[index]
      if (row && matches(row, text)) {
        focus.row = index
        return true
      }
    }
    return false
  }

  /**
   * Adds a typed letter to the search and moves to the next match. A new search starts below the
   * focused diner (typing "z" again goes on to the next Z); a longer one may stay on the focused
   * diner if they still match. The same letter typed over and over steps through its diners.
   */
  function typeToFind(letter: string) {
    const time = now().getTime()
    const text = time - lastLetterAt <= findResetMs ? findText.value + letter : letter
    lastLetterAt = time
    findText.value = text
    const repeated = text.length > 1 && [...text].every((character) => character === text[0])
    const found = text.length === 1 || repeated ? findFrom(focus.row + 1, letter) : findFrom(focus.row, text)
    findMissed.value = !found
    clearTimeout(clearFind)
    clearFind = setTimeout(() => {
      findText.value = ''
      findMissed.value = false
    }, findResetMs)
  }

  /** The grid's keyboard: see the component's legend. */
  function onKey(event: GridKey): KeyOutcome {
    if (event.altKey || event.metaKey) return null
    const { row, slot } = focus
    switch (event.key) {
      case 'ArrowDown':
        moveTo(row + 1, slot)
        return 'handled'
      case 'ArrowUp':
        moveTo(row - 1, slot)
        return 'handled'
      case 'ArrowRight':
        moveTo(row, slot + 1)
        return 'handled'
      case 'ArrowLeft':
        moveTo(row, slot - 1)
        return 'handled'
      case 'PageDown':
        moveTo(row + pageRows, slot)
        return 'handled'
      case 'PageUp':
        moveTo(row - pageRows, slot)
        return 'handled'
      case 'Home':
        moveTo(0, slot)
        return 'handled'
      case 'End':
        moveTo(Number.MAX_SAFE_INTEGER, slot)
        return 'handled'
      case ' ':
        if (event.ctrlKey) return null
        void toggle()
        return 'handled'
      case 'Enter':
        return 'edit'
      case 'Escape':
        findText.value = ''
        findMissed.value = false
        return 'handled'
    }
    if (event.ctrlKey) return null
    const mode = modeKeys[event.key]
    if (mode) {
      void tickWith(mode)
      return 'handled'
    }
    if (/^[a-zA-Z]$/.test(event.key)) {
      typeToFind(event.key.toLowerCase())
      return 'handled'
    }
    return null
  }

  /** Copies the meals of the last earlier day with meals to this day; resolves to how many were added. */
  async function copyPreviousDay(): Promise<number | null> {
    const current = roster.value
    if (!current?.previous_day) return null
    copying.value = true
    error.value = null
    const before = totals.value.meals
    const thisGeneration = generation
    try {
      // Ticks still saving go first, so the copy does not record what they are about to.
      await queue
      const answer = await copyMealDay({ point_id: current.point.id, from: current.previous_day, to: current.date })
      if (thisGeneration !== generation) return null
      show(answer)
      return answer.totals.meals - before
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      copying.value = false
    }
  }

  /** Moves the day by `days` (the picker offers no day after today; the backend refuses one). */
  function shiftDay(days: number) {
    date.value = addDays(date.value, days)
  }

  const isPending = (elderId: string, slot: MealSlot) => pending.has(cellKey(elderId, slot))

  watch([pointId, date], () => void load())

  return {
    date,
    roster,
    totals,
    loading,
    copying,
    error,
    notice,
    focus,
    focusedRow,
    focusedSlot,
    saving,
    findText,
    findMissed,
    editable,
    load,
    moveTo,
    toggle,
    tickWith,
    saveCell,
    untick,
    onKey,
    copyPreviousDay,
    shiftDay,
    isPending,
  }
}
