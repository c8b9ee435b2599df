import { reactive, ref } from 'vue'
import type { Elder } from '@/bindings/Elder'
import type { LifeStatus } from '@/bindings/LifeStatus'
import { toAppError, type AppError } from '@/api/error'
import { setLifeStatus } from '@/api/elders'
import { localDateTime } from '@/utils/time'
import { clock } from '@/utils/clock'

/**
 * Marking an elder moved away or deceased; the record stays, with its history.
 */
export function useMarkLife(elder: () => Elder | undefined) {
  const form = reactive({
    state: 'moved' as Exclude<LifeStatus['state'], 'active'>,
    date: localDateTime(clock.now()).slice(0, 10),
    movedTo: '',
  })
  const saving = ref(false)
  const error = ref<AppError | null>(null)

  const life = (): LifeStatus => ({
    state: form.state,
    date: form.date,
    moved_to: form.state === 'moved' ? form.movedTo.trim() || null : null,
  })

  /** Saves the new status; resolves to whether it was saved (else `error` says why). */
  async function save(): Promise<boolean> {
    const current = elder()
    if (!current) return false
    saving.value = true
    error.value = null
    try {
      await setLifeStatus({ elder_id: current.id, life: life() })
      return true
    } catch (rejection) {
      error.value = toAppError(rejection)
      return false
    } finally {
      saving.value = false
    }
  }

  return { form, saving, error, save }
}
