import { reactive, ref } from 'vue'
import type { MealAdjustment } from '@/bindings/MealAdjustment'
import { toAppError, type AppError } from '@/api/error'
import { addMealAdjustment } from '@/api/meals'
import { i18n } from '@/locales'
import { fenFromYuan } from '../money'

/**
 * 登记调整: a correction of an approved (locked) month, booked by the backend in the point's next
 * open month. Amounts are typed in 元 and may be negative (money clawed back). Local problems are
 * listed in `problems`; a refusal keeps the input and sets `error` to the backend's message.
 */
export function useMealAdjustment() {
  const form = reactive({ elderId: null as string | null, reason: '', subsidyDelta: '', selfPaidDelta: '' })
  const problems = ref<string[]>([])
  const saving = ref(false)
  const error = ref<AppError | null>(null)

  function start() {
    Object.assign(form, { elderId: null, reason: '', subsidyDelta: '', selfPaidDelta: '' })
    problems.value = []
    error.value = null
  }

  /** An amount field as 分: empty is 0, anything unreadable null. */
  const amount = (text: string) => (text.trim() === '' ? 0 : fenFromYuan(text))

  /** Saves; resolves to the adjustment as booked (its `month` says where), or null. */
  async function save(pointId: string, fromMonth: string): Promise<MealAdjustment | null> {
    const t = i18n.global.t
    const subsidyDelta = amount(form.subsidyDelta)
    const selfPaidDelta = amount(form.selfPaidDelta)
    const found: string[] = []
    if (form.elderId === null) {
      found.push(t('meals.settlement.adjustmentForm.required', { field: t('meals.settlement.adjustmentForm.elder') }))
    }
    if (form.reason.trim() === '') {
      found.push(t('meals.settlement.adjustmentForm.required', { field: t('meals.settlement.adjustmentForm.reason') }))
    }
    if (subsidyDelta === null || selfPaidDelta === null) found.push(t('meals.settlement.adjustmentForm.badAmount'))
    else if (subsidyDelta === 0 && selfPaidDelta === 0) found.push(t('meals.settlement.adjustmentForm.bothZero'))
    problems.value = found
    if (found.length > 0 || form.elderId === null || subsidyDelta === null || selfPaidDelta === null) return null
    saving.value = true
    error.value = null
    try {
      return await addMealAdjustment({
        point_id: pointId,
        from_month: fromMonth,
        elder_id: form.elderId,
        reason: form.reason.trim(),
        subsidy_delta: subsidyDelta,
        self_paid_delta: selfPaidDelta,
      })
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      saving.value = false
    }
  }

  return { form, problems, saving, error, start, save }
}
