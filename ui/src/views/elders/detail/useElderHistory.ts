import { ref, watch } from 'vue'
import type { HistoryEntry } from '@/bindings/HistoryEntry'
import { toAppError, type AppError } from '@/api/error'
import { elderHistory } from '@/api/elders'
import { i18n } from '@/locales'

/** The Chinese label of a changed field ("life.date" counts as 状态); an unknown key shows as is. */
export function fieldLabel(field: string): string {
  const key = `registry.history.fields.${field.split('.')[0]}`
  return i18n.global.te(key) ? i18n.global.t(key) : field
}

/** Who changed the record, when and from which device. */
export const historyWho = (entry: HistoryEntry) =>
  i18n.global.t('registry.history.who', { at: entry.at, user: entry.user_name || entry.user_id, device: entry.device })

/** 新建记录, or 修改了 联系电话、状态. */
export function historyWhat(entry: HistoryEntry): string {
  if (entry.created) return i18n.global.t('registry.history.created')
  const labels = [...new Set(entry.fields.map(fieldLabel))]
  return i18n.global.t('registry.history.changed', { fields: labels.join('、') })
}

/** An elder's change history, oldest first; loads again when the id or `revision` changes. */
export function useElderHistory(elderId: () => string, revision: () => number = () => 0) {
  const entries = ref<HistoryEntry[]>([])
  const loading = ref(false)
  const error = ref<AppError | null>(null)

  async function load(id: string) {
    loading.value = true
    error.value = null
    try {
      entries.value = await elderHistory({ id })
    } catch (rejection) {
      entries.value = []
      error.value = toAppError(rejection)
    } finally {
      loading.value = false
    }
  }

  watch([elderId, revision], ([id]) => void load(id), { immediate: true })

  return { entries, loading, error }
}
