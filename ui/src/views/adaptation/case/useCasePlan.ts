import { computed, reactive, ref, type Ref } from 'vue'
import type { AdaptationCatalog } from '@/bindings/AdaptationCatalog'
import type { CaseDetail } from '@/bindings/CaseDetail'
import type { CatalogItem } from '@/bindings/CatalogItem'
import { adaptationCatalog, saveCasePlan, signCasePlan } from '@/api/adaptation'
import { toAppError, type AppError } from '@/api/error'
import { localDateTime } from '@/utils/time'
import { stepIndex } from '../steps'
import { clock } from '@/utils/clock'

/** What a plan costs and who pays, previewed as quantities are typed. All in 分. */
export interface PlanPreview {
  basic: number
  optional: number
  total: number
  subsidy: number
  selfPaid: number
  cap: number
  /** How far the basic items go over the cap; 0 within it. */
  overCap: number
}

/** One category of the catalog with its items, in the catalog's order: (一) 地面改造 … (七) 老年用品配置. */
export interface CatalogCategory {
  index: number
  name: string
  items: CatalogItem[]
}

/** The catalog's items grouped by category, categories and items in the catalog's order. */
export function catalogCategories(items: CatalogItem[]): CatalogCategory[] {
  const categories: CatalogCategory[] = []
  for (const item of items) {
    let category = categories.find((each) => each.name === item.category)
    if (!category) {
      category = { index: categories.length + 1, name: item.category, items: [] }
      categories.push(category)
    }
    category.items.push(item)
  }
  return categories
}

/**
 * The totals the backend will compute: 基础 items are subsidised up to the household's cap, 可选
 * items are paid by the household; basic items over the cap are refused on save.
 */
export function previewPlan(items: CatalogItem[], quantities: Record<string, number>, cap: number): PlanPreview {
  let basic = 0
  let optional = 0
  for (const item of items) {
    const amount = (quantities[item.code] ?? 0) * item.unit_price
    if (item.basic) basic += amount
    else optional += amount
  }
  const total = basic + optional
  const subsidy = Math.min(basic, cap)
  return { basic, optional, total, subsidy, selfPaid: total - subsidy, cap, overCap: Math.max(basic - cap, 0) }
}

/**
 * The case's plan built from the county's catalog: a quantity per item (0: not in the plan), the
 * totals and the cap previewed live, saving (which the backend prices and checks against the cap)
 * and the elder's signature. The plan can change until 改造方案 is done; a changed plan needs
 * signing again. A refused save keeps the quantities and sets `error` to the backend's message.
 */
export function useCasePlan(detail: Ref<CaseDetail | null>, now: () => Date = clock.now) {
  const catalog = ref<AdaptationCatalog | null>(null)
  const quantities = reactive<Record<string, number>>({})
  const signature = reactive({ signedOn: localDateTime(now()).slice(0, 10), signer: '' })
  const saving = ref(false)
  const signing = ref(false)
  const error = ref<AppError | null>(null)

  const categories = computed(() => catalogCategories(catalog.value?.items ?? []))

  /** The household's cap as the backend gave it with the case; the catalog's when it gave none. */
  const cap = computed(() => {
    const shown = detail.value
    if (!shown) return 0
    if (shown.plan_totals.cap > 0) return shown.plan_totals.cap
    if (!catalog.value) return 0
    return shown.case.urban ? catalog.value.cap_urban : catalog.value.cap_rural
  })

  const preview = computed(() => previewPlan(catalog.value?.items ?? [], quantities, cap.value))

  /** The plan's lines as typed: the items with a quantity, in the catalog's order. */
  const lines = computed(() =>
    (catalog.value?.items ?? [])
      .filter((item) => (quantities[item.code] ?? 0) > 0)
      .map((item) => ({ catalog_code: item.code, quantity: quantities[item.code] ?? 0 })),
  )

  /** Whether the quantities differ from the plan of `shown`, the case as it was answered. */
  function differsFrom(shown: CaseDetail): boolean {
    const saved = shown.case.plan
    const codes = new Set([...Object.keys(saved), ...Object.keys(quantities)])
    return [...codes].some((code) => (saved[code]?.quantity ?? 0) !== (quantities[code] ?? 0))
  }

  /** The quantities differ from the plan as saved. */
  const changed = computed(() => (detail.value ? differsFrom(detail.value) : false))

  /** Until 改造方案 is done, and not once archived. */
  const editable = computed(() => {
    const progress = detail.value?.progress
    return progress !== undefined && !progress.archived && stepIndex(progress.step) <= stepIndex('plan')
  })

  async function loadCatalog() {
    try {
      catalog.value = await adaptationCatalog({ on: null })
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
  }

  /** The quantities as the plan was saved. */
  function reset() {
    for (const code of Object.keys(quantities)) delete quantities[code]
    for (const [code, item] of Object.entries(detail.value?.case.plan ?? {})) {
      if (item) quantities[code] = item.quantity
    }
  }

  /**
   * Follows the case when the backend answers with it: the quantities start again from its plan,
   * unless they hold edits not yet saved of the same case (another panel saved meanwhile).
   */
  function follow(next: CaseDetail | null, previous: CaseDetail | null | undefined) {
    if (!next) return
    if (!previous || previous.case.id !== next.case.id || !differsFrom(previous)) reset()
  }

  /** Saves the plan; resolves to the case as saved, or null (the quantities stay as typed). */
  async function save(): Promise<CaseDetail | null> {
    const shown = detail.value
    if (!shown) return null
    saving.value = true
    error.value = null
    try {
      return await saveCasePlan({ case_id: shown.case.id, items: lines.value })
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      saving.value = false
    }
  }

  /** Records the elder's signature of the plan as saved; resolves to the case, or null. */
  async function sign(): Promise<CaseDetail | null> {
    const shown = detail.value
    if (!shown) return null
    signing.value = true
    error.value = null
    try {
      return await signCasePlan({ case_id: shown.case.id, signed_on: signature.signedOn, signer: signature.signer.trim() })
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      signing.value = false
    }
  }

  return {
    catalog,
    quantities,
    signature,
    saving,
    signing,
    error,
    categories,
    cap,
    preview,
    lines,
    changed,
    editable,
    loadCatalog,
    reset,
    follow,
    save,
    sign,
  }
}
