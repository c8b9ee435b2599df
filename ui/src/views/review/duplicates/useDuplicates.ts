import { ref } from 'vue'
import type { DuplicatePair } from '@/bindings/DuplicatePair'
import type { DuplicatesPage } from '@/bindings/DuplicatesPage'
import type { DuplicateVerdict } from '@/bindings/DuplicateVerdict'
import { decideDuplicate, duplicates, undoDuplicateDecision } from '@/api/duplicates'
import { toAppError, type AppError } from '@/api/error'

/** A pair's identity: its two elders. */
export const pairKey = (pair: DuplicatePair) => `${pair.first.elder_id}|${pair.second.elder_id}`

/** The kept and merged elder ids of a pair, for the one the reviewer chose to keep. */
export function keptAndMerged(pair: DuplicatePair, keep: string | undefined): { kept_id: string; merged_id: string } {
  const keepSecond = keep === pair.second.elder_id
  return keepSecond
    ? { kept_id: pair.second.elder_id, merged_id: pair.first.elder_id }
    : { kept_id: pair.first.elder_id, merged_id: pair.second.elder_id }
}

export type Outcome = { ok: true } | { ok: false; error: AppError }

/**
 * The duplicates page: suspected pairs (each keeping the elder registered first unless the
 * reviewer picks the other), and the decisions taken. Every decision answers with the page as
 * it now reads, which replaces what is shown.
 */
export function useDuplicates() {
  const page = ref<DuplicatesPage | null>(null)
  const keep = ref<Record<string, string>>({})
  const loading = ref(false)
  const saving = ref<string | null>(null)
  const error = ref<AppError | null>(null)

  function take(next: DuplicatesPage) {
    page.value = next
    const kept: Record<string, string> = {}
    for (const pair of next.pairs) kept[pairKey(pair)] = keep.value[pairKey(pair)] ?? pair.first.elder_id
    keep.value = kept
  }

  async function load() {
    loading.value = true
    error.value = null
    try {
      take(await duplicates())
    } catch (rejection) {
      error.value = toAppError(rejection)
    } finally {
      loading.value = false
    }
  }

  async function run(key: string, call: () => Promise<DuplicatesPage>): Promise<Outcome> {
    saving.value = key
    try {
      take(await call())
      return { ok: true }
    } catch (rejection) {
      return { ok: false, error: toAppError(rejection) }
    } finally {
      saving.value = null
    }
  }

  const decide = (pair: DuplicatePair, verdict: DuplicateVerdict, note: string) =>
    run(pairKey(pair), () => decideDuplicate({ verdict, ...keptAndMerged(pair, keep.value[pairKey(pair)]), note: note.trim() }))

  const undo = (id: string, reason: string) => run(id, () => undoDuplicateDecision({ id, reason: reason.trim() }))

  return { page, keep, loading, saving, error, load, decide, undo }
}
