import { ref } from 'vue'
import type { Approvals } from '@/bindings/Approvals'
import type { PendingSettlement } from '@/bindings/PendingSettlement'
import type { ReviewDecision } from '@/bindings/ReviewDecision'
import { approvals } from '@/api/review'
import { reviewSettlement } from '@/api/meals'
import { toAppError, type AppError } from '@/api/error'

/** A pending settlement's identity: its point and month. */
export const settlementKey = (row: PendingSettlement) => `${row.point_id}|${row.month}`

export type Outcome = { ok: true } | { ok: false; error: AppError }

/**
 * The county's queue. Deciding on a settlement sends the decision and reloads the queue, so a
 * settlement another computer decided on meanwhile leaves too; a refusal leaves the queue as is.
 */
export function useApprovals() {
  const queue = ref<Approvals | null>(null)
  const loading = ref(false)
  const saving = ref<string | null>(null)
  const error = ref<AppError | null>(null)

  async function load() {
    loading.value = true
    error.value = null
    try {
      queue.value = await approvals()
    } catch (rejection) {
      error.value = toAppError(rejection)
    } finally {
      loading.value = false
    }
  }

  async function decide(row: PendingSettlement, decision: ReviewDecision, reason: string): Promise<Outcome> {
    saving.value = settlementKey(row)
    try {
      await reviewSettlement({ point_id: row.point_id, month: row.month, decision, reason: reason.trim() })
      queue.value = await approvals()
      return { ok: true }
    } catch (rejection) {
      return { ok: false, error: toAppError(rejection) }
    } finally {
      saving.value = null
    }
  }

  return { queue, loading, saving, error, load, decide }
}
