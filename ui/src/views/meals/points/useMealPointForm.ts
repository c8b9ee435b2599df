import { reactive, ref } from 'vue'
import type { MealMode } from '@/bindings/MealMode'
import type { MealPoint } from '@/bindings/MealPoint'
import type { MealPointKind } from '@/bindings/MealPointKind'
import type { MealSlot } from '@/bindings/MealSlot'
import { toAppError, type AppError } from '@/api/error'
import { saveMealPoint } from '@/api/meals'
import { i18n } from '@/locales'
import { fenFromYuan, yuan } from '../money'

export const allSlots: MealSlot[] = ['breakfast', 'lunch', 'dinner']
export const allModes: MealMode[] = ['dine_in', 'take_away', 'delivery']
export const allKinds: MealPointKind[] = ['nursing_home', 'mutual_aid', 'canteen']
export const weekdays = [1, 2, 3, 4, 5, 6, 7]

/** One closure line of the form: a date and why. */
export interface ClosureLine {
  date: string
  reason: string
}

/** The form of a meal point: prices typed in 元, closures as lines. */
export interface MealPointFormState {
  name: string
  kind: MealPointKind
  villageCode: string | null
  slots: Record<MealSlot, { served: boolean; price: string }>
  modes: MealMode[]
  openDays: number[]
  closures: ClosureLine[]
}

const emptyMeta = { created_at: '', created_by: '', voided_at: null, voided_by: null, void_reason: null }

/** A new point's starting form: lunch at 10 元, eaten in, Monday to Friday. */
function blankForm(): MealPointFormState {
  return {
    name: '',
    kind: 'nursing_home',
    villageCode: null,
    slots: {
      breakfast: { served: false, price: '' },
      lunch: { served: true, price: '10.00' },
      dinner: { served: false, price: '' },
    },
    modes: ['dine_in'],
    openDays: [1, 2, 3, 4, 5],
    closures: [],
  }
}

/** The form showing `point`. */
export function formOf(point: MealPoint): MealPointFormState {
  const price = (slot: MealSlot) => point.prices[slot]
  return {
    name: point.name,
    kind: point.kind,
    villageCode: point.village_code,
    slots: Object.fromEntries(
      allSlots.map((slot) => {
        const fen = price(slot)
        return [slot, { served: fen !== undefined, price: fen === undefined ? '' : yuan(fen).replace(/,/g, '') }]
      }),
    ) as MealPointFormState['slots'],
    modes: allModes.filter((mode) => point.modes.includes(mode)),
    openDays: [...point.open_days].sort((a, b) => a - b),
    closures: Object.entries(point.closures)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, reason]) => ({ date, reason })),
  }
}

/**
 * What is wrong with the form, every problem at once, worded for the person (the backend checks
 * again and has the last word).
 */
export function formProblems(form: MealPointFormState): string[] {
  const t = i18n.global.t
  const problems: string[] = []
  if (form.name.trim() === '') problems.push(t('meals.points.form.required', { field: t('meals.points.form.name') }))
  const served = allSlots.filter((slot) => form.slots[slot].served)
  if (served.length === 0) problems.push(t('meals.points.form.noSlots'))
  for (const slot of served) {
    const fen = fenFromYuan(form.slots[slot].price)
    if (fen === null || fen < 0) problems.push(t('meals.points.form.badPrice', { slot: t(`enum.meal_slot.${slot}`) }))
  }
  if (form.modes.length === 0) problems.push(t('meals.points.form.noModes'))
  if (form.openDays.length === 0) problems.push(t('meals.points.form.noOpenDays'))
  if (form.closures.some((line) => line.date === '')) problems.push(t('meals.points.form.closureIncomplete'))
  return problems
}

/** The point the form describes, over `original` (its id and record meta), in `townshipCode`. */
export function pointOf(form: MealPointFormState, original: MealPoint | null, townshipCode: string): MealPoint {
  const prices: MealPoint['prices'] = {}
  for (const slot of allSlots) {
    const fen = fenFromYuan(form.slots[slot].price)
    if (form.slots[slot].served && fen !== null) prices[slot] = fen
  }
  return {
    id: original?.id ?? '',
    name: form.name.trim(),
    kind: form.kind,
    township_code: original?.township_code ?? townshipCode,
    village_code: form.villageCode,
    prices,
    modes: allModes.filter((mode) => form.modes.includes(mode)),
    open_days: [...form.openDays].sort((a, b) => a - b),
    closures: Object.fromEntries(form.closures.map((line) => [line.date, line.reason.trim()])),
    meta: original?.meta ?? emptyMeta,
  }
}

/**
 * Adding or changing a meal point of the chosen township. A refused save keeps the form as typed
 * and sets `error` to the backend's message; local problems are listed in `problems` first.
 */
export function useMealPointForm() {
  const form = reactive<MealPointFormState>(blankForm())
  const original = ref<MealPoint | null>(null)
  const problems = ref<string[]>([])
  const saving = ref(false)
  const error = ref<AppError | null>(null)

  /** Starts the form on `point`, or blank for a new one. */
  function start(point: MealPoint | null) {
    original.value = point
    Object.assign(form, point ? formOf(point) : blankForm())
    problems.value = []
    error.value = null
  }

  function addClosure() {
    form.closures.push({ date: '', reason: '' })
  }

  function removeClosure(index: number) {
    form.closures.splice(index, 1)
  }

  /** Saves; resolves to the point as stored, or null (then `problems` or `error` says why). */
  async function save(townshipCode: string): Promise<MealPoint | null> {
    problems.value = formProblems(form)
    if (problems.value.length > 0) return null
    saving.value = true
    error.value = null
    try {
      return await saveMealPoint(pointOf(form, original.value, townshipCode))
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      saving.value = false
    }
  }

  return { form, original, problems, saving, error, start, addClosure, removeClosure, save }
}
