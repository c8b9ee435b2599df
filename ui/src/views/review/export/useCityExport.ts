import { computed, ref } from 'vue'
import type { ExportFormat } from '@/bindings/ExportFormat'
import type { ExportLogRow } from '@/bindings/ExportLogRow'
import { cityExport, exportLog } from '@/api/review'
import { toAppError, type AppError } from '@/api/error'
import { monthOf } from '@/utils/time'
import { clock } from '@/utils/clock'

/** `YYYY-MM` of the month `count` months before `month`. */
export function monthsBefore(month: string, count: number): string {
  const [year = 0, number = 1] = month.split('-').map(Number)
  const index = year * 12 + (number - 1) - count
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}

export type Outcome = { ok: true; path: string } | { ok: false; error: AppError }

/**
 * The export form (the last three months by default, JSON, ID numbers masked) and the log of
 * every export. Full ID numbers need a reason before the request is even sent; the files are
 * written in a zip locked with the password given to `run`.
 */
export function useCityExport(today: Date = clock.now()) {
  const toMonth = ref(monthOf(today))
  const fromMonth = ref(monthsBefore(toMonth.value, 2))
  const format = ref<ExportFormat>('json')
  const includeIdNumbers = ref(false)
  const reason = ref('')
  const log = ref<ExportLogRow[]>([])
  const busy = ref(false)
  const error = ref<AppError | null>(null)
  const reasonMissing = computed(() => includeIdNumbers.value && reason.value.trim() === '')

  async function loadLog() {
    try {
      log.value = await exportLog()
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
  }

  async function run(password: string): Promise<Outcome> {
    if (reasonMissing.value) return { ok: false, error: { code: 'reason_required', message: '', problems: [] } }
    busy.value = true
    try {
      const archive = await cityExport({
        from_month: fromMonth.value,
        to_month: toMonth.value,
        format: format.value,
        include_id_numbers: includeIdNumbers.value,
        reason: includeIdNumbers.value ? reason.value.trim() : '',
        password,
      })
      await loadLog()
      return { ok: true, path: archive.path }
    } catch (rejection) {
      return { ok: false, error: toAppError(rejection) }
    } finally {
      busy.value = false
    }
  }

  return { fromMonth, toMonth, format, includeIdNumbers, reason, reasonMissing, log, busy, error, loadLog, run }
}
