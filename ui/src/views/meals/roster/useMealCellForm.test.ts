import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import type { MealCell } from '@/bindings/MealCell'
import { useMealCellForm, type MealCellShown } from './useMealCellForm'

const cell: MealCell = { meal_id: 'm-1', mode: 'take_away', proxy: '张家儿媳', self_paid: 700, subsidy: 500, note: '' }

describe('useMealCellForm', () => {
  it('starts from the recorded meal, and keeps its amount when only 代办 changes', () => {
    const shown = ref<MealCellShown | null>({ cell, usualMode: 'dine_in' })
    const panel = useMealCellForm(() => shown.value)

    expect(panel.form).toEqual({ mode: 'take_away', proxy: '张家儿媳', selfPaid: '7.00' })
    panel.form.proxy = ' 王家孙子 '
    expect(panel.change()).toEqual({ mode: 'take_away', proxy: '王家孙子', selfPaid: 700 })
  })

  it('lets the backend compute the amount again when the mode changes or the field is emptied', () => {
    const panel = useMealCellForm(() => ({ cell, usualMode: 'dine_in' }))

    panel.form.mode = 'delivery'
    expect(panel.change()?.selfPaid).toBeNull()
    panel.form.mode = 'take_away'
    panel.form.selfPaid = ''
    expect(panel.change()?.selfPaid).toBeNull()
  })

  it('sends an amount the station typed in 元 as 分, and refuses one that is not an amount', () => {
    const panel = useMealCellForm(() => ({ cell, usualMode: 'dine_in' }))

    panel.form.selfPaid = '3.5'
    expect(panel.change()?.selfPaid).toBe(350)
    panel.form.selfPaid = '三元'
    expect(panel.amountValid()).toBe(false)
    expect(panel.change()).toBeNull()
    panel.form.selfPaid = '-1'
    expect(panel.change()).toBeNull()
  })

  it('an empty cell starts in the diner’s usual mode, and the form starts over on another cell', async () => {
    const shown = ref<MealCellShown | null>({ cell: null, usualMode: 'delivery' })
    const panel = useMealCellForm(() => shown.value)
    expect(panel.form).toEqual({ mode: 'delivery', proxy: '', selfPaid: '' })
    expect(panel.change()).toEqual({ mode: 'delivery', proxy: null, selfPaid: null })

    panel.form.proxy = '未保存的输入'
    shown.value = { cell, usualMode: 'dine_in' }
    await nextTick()
    expect(panel.form.proxy).toBe('张家儿媳')
  })
})
