import { reactive, watch } from 'vue'
import type { MealCell } from '@/bindings/MealCell'
import type { MealMode } from '@/bindings/MealMode'
import { fenFromYuan, yuan } from '../money'
import type { MealChange } from './useMealRoster'

/** The focused cell as the side panel shows it: what a meal there is, or would be, recorded as. */
export interface MealCellShown {
  cell: MealCell | null
  usualMode: MealMode
}

/**
 * The side panel's form for one roster cell: mode, 代办 and the self-paid amount in 元. It starts
 * over whenever another cell is focused or the cell's saved values change. An amount left as it
 * was keeps what is recorded (unless the mode changed, which recomputes it); an emptied one lets
 * the backend compute it.
 */
export function useMealCellForm(shown: () => MealCellShown | null) {
  const form = reactive({ mode: 'dine_in' as MealMode, proxy: '', selfPaid: '' })
  let initialSelfPaid = ''

  function reset() {
    const current = shown()
    form.mode = current?.cell?.mode ?? current?.usualMode ?? 'dine_in'
    form.proxy = current?.cell?.proxy ?? ''
    initialSelfPaid = current?.cell ? yuan(current.cell.self_paid).replace(/,/g, '') : ''
    form.selfPaid = initialSelfPaid
  }

  /** The change to save, or null when the amount typed is not one (the field then says so). */
  function change(): Omit<MealChange, 'eaten'> | null {
    const cell = shown()?.cell ?? null
    const typed = form.selfPaid.trim()
    let selfPaid: number | null
    if (typed === '') selfPaid = null
    else if (typed !== initialSelfPaid) {
      selfPaid = fenFromYuan(typed)
      if (selfPaid === null || selfPaid < 0) return null
    } else selfPaid = cell && cell.mode === form.mode ? cell.self_paid : null
    return { mode: form.mode, proxy: form.proxy.trim() || null, selfPaid }
  }

  const amountValid = () => {
    const typed = form.selfPaid.trim()
    const fen = typed === '' ? 0 : fenFromYuan(typed)
    return fen !== null && fen >= 0
  }

  watch(shown, reset, { immediate: true, deep: true })

  return { form, reset, change, amountValid }
}
