import { ref } from 'vue'
import type { ConflictRow } from '@/bindings/ConflictRow'
import { conflicts, resolveConflict } from '@/api/conflicts'
import { toAppError, type AppError } from '@/api/error'

/** The pick that stands for "a value typed by the reviewer" rather than one of the listed values. */
export const OTHER = '__other__'

/** One conflict's identity: the shard, the record and the field. */
export const conflictKey = (row: ConflictRow) => `${row.shard}|${row.record_id}|${row.field}`

/**
 * A typed value as JSON of the field's kind: a number where every listed value is a number
 * and the text reads as one, otherwise text (trimmed).
 */
export function typedValue(row: ConflictRow, text: string): string {
  const trimmed = text.trim()
  const numeric = row.values.every((value) => /^-?\d+(\.\d+)?$/.test(value.value))
  if (numeric && trimmed !== '' && Number.isFinite(Number(trimmed))) return String(Number(trimmed))
  return JSON.stringify(trimmed)
}

/** What the reviewer picked for a conflict, as the JSON to send; `null` when nothing usable is picked. */
export function pickedValue(row: ConflictRow, pick: string | undefined, other: string | undefined): string | null {
  if (!pick) return null
  if (pick !== OTHER) return pick
  return row.accepts_other && (other ?? '').trim() !== '' ? typedValue(row, other ?? '') : null
}

/**
 * The conflicts of this computer's data and the reviewer's picks. Each conflict starts on the
 * value lists show; resolving sends the pick and takes the list the backend answers with, so a
 * conflict another computer already resolved simply leaves.
 */
export function useConflicts() {
  const rows = ref<ConflictRow[]>([])
  const picks = ref<Record<string, string>>({})
  const others = ref<Record<string, string>>({})
  const loading = ref(false)
  const saving = ref<string | null>(null)
  const error = ref<AppError | null>(null)

  function take(list: ConflictRow[]) {
    rows.value = list
    const keep: Record<string, string> = {}
    for (const row of list) {
      const key = conflictKey(row)
      keep[key] = picks.value[key] ?? row.values.find((value) => value.shown)?.value ?? row.values[0]?.value ?? ''
    }
    picks.value = keep
  }

  async function load() {
    loading.value = true
    error.value = null
    try {
      take(await conflicts())
    } catch (rejection) {
      error.value = toAppError(rejection)
    } finally {
      loading.value = false
    }
  }

  /** Resolves one conflict with its pick; answers the value kept as sent, or the refusal. */
  async function resolve(row: ConflictRow): Promise<{ ok: true; value: string } | { ok: false; error: AppError }> {
    const key = conflictKey(row)
    const value = pickedValue(row, picks.value[key], others.value[key])
    if (value === null) return { ok: false, error: { code: 'no_pick', message: '', problems: [] } }
    saving.value = key
    try {
      take(await resolveConflict({ shard: row.shard, record_id: row.record_id, field: row.field, value }))
      delete others.value[key]
      return { ok: true, value }
    } catch (rejection) {
      return { ok: false, error: toAppError(rejection) }
    } finally {
      saving.value = null
    }
  }

  return { rows, picks, others, loading, saving, error, load, resolve }
}
