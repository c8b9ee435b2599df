import { ref, watch } from 'vue'
import type { PlaceNode } from '@/bindings/PlaceNode'
import type { ReferralRow } from '@/bindings/ReferralRow'
import type { ReferralStatus } from '@/bindings/ReferralStatus'
import { placeTree } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { referrals, updateReferral } from '@/api/visits'

/** The referrals of one place to follow up, as the backend sorted them (open, in progress, closed; newest first). */
export function useReferrals() {
  const places = ref<PlaceNode[]>([])
  const placeCode = ref<string | null>(null)
  const includeClosed = ref(false)
  const rows = ref<ReferralRow[]>([])
  const loading = ref(false)
  /** The referral being moved along, whose buttons show it. */
  const updating = ref<string | null>(null)
  const error = ref<AppError | null>(null)

  // A slow answer for a place or switch chosen before the current one is dropped.
  let latestLoad = 0

  async function load() {
    const thisLoad = ++latestLoad
    loading.value = true
    error.value = null
    try {
      const result = await referrals({ place_code: placeCode.value, include_closed: includeClosed.value })
      if (thisLoad === latestLoad) rows.value = result
    } catch (rejection) {
      if (thisLoad === latestLoad) {
        rows.value = []
        error.value = toAppError(rejection)
      }
    } finally {
      if (thisLoad === latestLoad) loading.value = false
    }
  }

  /** Shows the list: the first time the place tree and the first township's referrals, later the list again. */
  async function open() {
    if (places.value.length > 0) return load()
    try {
      places.value = await placeTree()
    } catch (rejection) {
      error.value = toAppError(rejection)
      return
    }
    // Choosing the first township loads through the watcher; an empty county loads the whole county.
    const first = places.value[0]?.code ?? null
    if (first !== placeCode.value) placeCode.value = first
    else await load()
  }

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
