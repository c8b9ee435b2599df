import { computed, ref, watch, type Ref } from 'vue'
import type { ReviewDecision } from '@/bindings/ReviewDecision'
import type { Role } from '@/bindings/Role'
import type { SavedFile } from '@/bindings/SavedFile'
import type { Settlement } from '@/bindings/Settlement'
import type { SettlementStatus } from '@/bindings/SettlementStatus'
import type { SettlementTotals } from '@/bindings/SettlementTotals'
import type { TownshipSettlements } from '@/bindings/TownshipSettlements'
import { toAppError, type AppError } from '@/api/error'
import {
  exportSettlement,
  mealSettlement,
  printSettlement,
  printTownshipSettlements,
  reviewSettlement,
  submitSettlement,
  townshipSettlements,
} from '@/api/meals'
import { syncStatus } from '@/api/sync'
import { workingMonth } from '@/utils/time'
import { clock } from '@/utils/clock'

/** The tag colour of each status: open grey, waiting orange, returned red, approved green. */
export const statusTagTypes: Record<SettlementStatus, 'info' | 'warning' | 'danger' | 'success'> = {
  open: 'info',
  submitted: 'warning',
  returned: 'danger',
  approved: 'success',
}

/** What the settlement page is busy with, to show on the button that started it. */
export type SettlementWork = 'submit' | 'approve' | 'return' | 'print' | 'export' | 'printTownship'

const sameTotals = (a: SettlementTotals, b: SettlementTotals) =>
  a.diners === b.diners &&
  a.dining_days === b.dining_days &&
  a.meals === b.meals &&
  a.subsidy === b.subsidy &&
  a.self_paid === b.self_paid &&
  a.adjustments === b.adjustments &&
  a.payable === b.payable

/**
 * One point's month (statement, adjustments, totals, status, checks) and the township's summary
 * of its points, with what the station and the county do with them: submit, approve or return,
 * print, export. Every action answers with the settlement as it now stands, which replaces the
 * one shown; a refusal sets `error` to the backend's message.
 */
export function useMealSettlement(
  pointId: Ref<string | null>,
  townshipCode: Ref<string | null>,
  now: () => Date = clock.now,
) {
  const month = ref(workingMonth(now()).month)
  const settlement = ref<Settlement | null>(null)
  const township = ref<TownshipSettlements | null>(null)
  const loading = ref(false)
  const busy = ref<SettlementWork | null>(null)
  const error = ref<AppError | null>(null)
  /** The role this computer is enrolled with, when it is enrolled; null when not known. */
  const role = ref<Role | null>(null)

  /** What the statement adds up to: the approved figures once approved, else the meals as they are. */
  const shownTotals = computed(() => settlement.value?.approved_totals ?? settlement.value?.totals ?? null)
  /** Meals changed after approval: the current figures differ from the approved ones. */
  const changedSinceApproval = computed(() => {
    const current = settlement.value
    return current?.approved_totals ? !sameTotals(current.approved_totals, current.totals) : false
  })
  const canSubmit = computed(() => settlement.value?.status === 'open' || settlement.value?.status === 'returned')
  /**
   * The county decides on a submitted month. A computer enrolled with another role is not offered
   * the buttons; one whose role is not known (not enrolled) is, and the backend refuses anyone
   * but a county reviewer with its own message.
   */
  const canReview = computed(
    () => settlement.value?.status === 'submitted' && (role.value === null || role.value === 'county_reviewer'),
  )
  const canAdjust = computed(() => settlement.value?.status === 'approved')

  let latestLoad = 0

  async function load() {
    const id = pointId.value
    const thisLoad = ++latestLoad
    if (id === null || !month.value) {
      settlement.value = null
      return
    }
    loading.value = true
    error.value = null
    try {
      const answer = await mealSettlement({ point_id: id, month: month.value })
      if (thisLoad === latestLoad) settlement.value = answer
    } catch (rejection) {
      if (thisLoad === latestLoad) {
        settlement.value = null
        error.value = toAppError(rejection)
      }
    } finally {
      if (thisLoad === latestLoad) loading.value = false
    }
  }

  let latestTownshipLoad = 0

  async function loadTownship() {
    const code = townshipCode.value
    const thisLoad = ++latestTownshipLoad
    if (code === null || !month.value) {
      township.value = null
      return
    }
    loading.value = true
    error.value = null
    try {
      const answer = await townshipSettlements({ township_code: code, month: month.value })
      if (thisLoad === latestTownshipLoad) township.value = answer
    } catch (rejection) {
      if (thisLoad === latestTownshipLoad) {
        township.value = null
        error.value = toAppError(rejection)
      }
    } finally {
      if (thisLoad === latestTownshipLoad) loading.value = false
    }
  }

  /** Asks for the role once; a computer that cannot say leaves the decision to the backend. */
  async function loadRole() {
    try {
      const status = await syncStatus()
      role.value = status.enrolled ? status.role : null
    } catch {
      role.value = null
    }
  }

  /** Runs one action that answers with the settlement; resolves to whether it succeeded. */
  async function act(work: SettlementWork, command: () => Promise<Settlement>): Promise<boolean> {
    busy.value = work
    error.value = null
    try {
      settlement.value = await command()
      return true
    } catch (rejection) {
      error.value = toAppError(rejection)
      return false
    } finally {
      busy.value = null
    }
  }

  const request = () => ({ point_id: pointId.value ?? '', month: month.value })

  const submit = (note: string) => act('submit', () => submitSettlement({ ...request(), note }))
  const review = (decision: ReviewDecision, reason: string) =>
    act(decision === 'approved' ? 'approve' : 'return', () => reviewSettlement({ ...request(), decision, reason }))

  /** Writes one file; resolves to where it was saved, or null (then `error` says why). */
  async function write(work: SettlementWork, command: () => Promise<SavedFile>): Promise<string | null> {
    busy.value = work
    error.value = null
    try {
      return (await command()).path
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      busy.value = null
    }
  }

  /** The point's statement and workbook name the diners: both are written locked with `password`. */
  const print = (password: string) => write('print', () => printSettlement({ ...request(), password }))
  const exportWorkbook = (password: string) => write('export', () => exportSettlement({ ...request(), password }))
  const printTownship = () =>
    write('printTownship', () => printTownshipSettlements({ township_code: townshipCode.value ?? '', month: month.value }))

  watch([pointId, month], () => void load())

  return {
    month,
    settlement,
    township,
    loading,
    busy,
    error,
    role,
    shownTotals,
    changedSinceApproval,
    canSubmit,
    canReview,
    canAdjust,
    load,
    loadTownship,
    loadRole,
    submit,
    review,
    print,
    exportWorkbook,
    printTownship,
  }
}
