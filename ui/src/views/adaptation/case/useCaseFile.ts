import { computed, ref, watch } from 'vue'
import type { CaseDetail } from '@/bindings/CaseDetail'
import type { Role } from '@/bindings/Role'
import type { StepOutcome } from '@/bindings/StepOutcome'
import { caseDetail, printCaseFile, recordCaseStep } from '@/api/adaptation'
import { toAppError, type AppError } from '@/api/error'
import { syncStatus } from '@/api/sync'
import { stepActions, stepViews } from './stepProgress'

/** What the case page is busy with, to show on the button that started it. */
export type CaseWork = 'done' | 'returned' | 'print'

/**
 * One case file: loaded by id, replaced by whatever a panel's save answers with, its steps and
 * the actions at the current one, marking the step done or returning it, and printing the file.
 * A refusal sets `error` to the backend's message and keeps what was typed (the dialogs hold it).
 */
export function useCaseFile(caseId: () => string) {
  const detail = ref<CaseDetail | null>(null)
  const loading = ref(false)
  const busy = ref<CaseWork | null>(null)
  const error = ref<AppError | null>(null)
  /** The role this computer is enrolled with; null when it is not enrolled (not known). */
  const role = ref<Role | null>(null)
  /** Where the case file was last printed to. */
  const printedPath = ref<string | null>(null)

  const steps = computed(() => (detail.value ? stepViews(detail.value) : []))
  const actions = computed(() => (detail.value ? stepActions(detail.value, role.value) : null))

  let latestLoad = 0

  async function load() {
    const id = caseId()
    const thisLoad = ++latestLoad
    if (!id) return
    loading.value = true
    error.value = null
    try {
      const answer = await caseDetail({ case_id: id })
      if (thisLoad === latestLoad) detail.value = answer
    } catch (rejection) {
      if (thisLoad === latestLoad) error.value = toAppError(rejection)
    } finally {
      if (thisLoad === latestLoad) loading.value = false
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

  /** Takes the case as a panel's save answered with it. */
  function replace(next: CaseDetail) {
    detail.value = next
  }

  /** Marks the current step done or returns it; resolves to whether the backend took it. */
  async function recordStep(outcome: StepOutcome, notes: string): Promise<boolean> {
    const current = detail.value
    if (!current || current.progress.archived || busy.value) return false
    busy.value = outcome
    error.value = null
    try {
      detail.value = await recordCaseStep({
        case_id: current.case.id,
        step: current.progress.step,
        outcome,
        notes: notes.trim(),
      })
      return true
    } catch (rejection) {
      error.value = toAppError(rejection)
      return false
    } finally {
      busy.value = null
    }
  }

  /**
   * Prints the case file locked with `password` (it holds the elder's ID number, health and
   * home); resolves to where it was saved, or null (then `error` says why).
   */
  async function print(password: string): Promise<string | null> {
    const current = detail.value
    if (!current) return null
    busy.value = 'print'
    error.value = null
    try {
      const saved = await printCaseFile({ case_id: current.case.id, password })
      printedPath.value = saved.path
      return saved.path
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      busy.value = null
    }
  }

  watch(caseId, () => {
    detail.value = null
    printedPath.value = null
    void load()
  })

  return { detail, loading, busy, error, role, printedPath, steps, actions, load, loadRole, replace, recordStep, print }
}
