import { reactive, ref } from 'vue'
import { toAppError, type AppError } from '@/api/error'
import { recordLifeEvent } from '@/api/elders'
import { localDateTime } from '@/utils/time'
import { clock } from '@/utils/clock'

/** The kinds of 重大变故 offered; the person may also type another. */
export const lifeEventKinds = ['丧偶', '住院', '子女变故', '受灾', '走失后找回'] as const

/**
 * Recording a major life event (重大变故) of an elder: the next visit then falls due within the
 * tier's hours (24 h in the demo county's policy).
 */
export function useLifeEvent(elderId: () => string) {
  const form = reactive({ kind: '', at: localDateTime(clock.now()), note: '' })
  const saving = ref(false)
  const error = ref<AppError | null>(null)

  /** Saves the event; resolves to whether it was saved (else `error` says why, the form kept). */
  async function save(): Promise<boolean> {
    saving.value = true
    error.value = null
    try {
      await recordLifeEvent({ elder_id: elderId(), at: form.at, kind: form.kind.trim(), note: form.note.trim() })
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
