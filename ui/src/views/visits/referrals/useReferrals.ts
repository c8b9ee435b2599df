import { ref, watch } from 'vue'
import type { ReferralRow } from '@/bindings/ReferralRow'
import type { ReferralStatus } from '@/bindings/ReferralStatus'
import { toAppError } from '@/api/error'
import { referrals, updateReferral } from '@/api/visits'
import { usePlaceScopedList } from '../usePlaceScopedList'

/** The referrals of one place to follow up, as the backend sorted them (open, in progress, closed; newest first). */
export function useReferrals() {
  const includeClosed = ref(false)
  const { places, placeCode, data: rows, loading, error, load, open } = usePlaceScopedList<ReferralRow[]>(
    (place_code) => referrals({ place_code, include_closed: includeClosed.value }),
    [],
  )
  /** The referral being moved along, whose buttons show it. */
  const updating = ref<string | null>(null)

  /** Moves one referral to `status`, then shows the list again; a refusal (e.g. already closed) says why. */
  async function setStatus(row: ReferralRow, status: ReferralStatus): Promise<boolean> {
    if (updating.value) return false
    updating.value = row.referral_id
    error.value = null
    try {
      await updateReferral({ visit_id: row.visit_id, referral_id: row.referral_id, status })
    } catch (rejection) {
      error.value = toAppError(rejection)
      return false
    } finally {
      updating.value = null
    }
    await load()
    return true
  }

  watch([placeCode, includeClosed], () => void load())

  return { places, placeCode, includeClosed, rows, loading, updating, error, open, load, setStatus }
}
