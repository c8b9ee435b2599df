import { reactive, ref } from 'vue'
import type { AccessLogPage } from '@/bindings/AccessLogPage'
import type { AccessRow } from '@/bindings/AccessRow'
import { accessLog } from '@/api/access'
import { toAppError, type AppError } from '@/api/error'

export const PAGE_SIZE = 50

/** What the list is narrowed to: a user and an elder (picked by clicking a name), and days. */
export interface AccessFilter {
  user: { id: string; name: string } | null
  elder: { id: string; name: string } | null
  /** `[from, to]` as `YYYY-MM-DD`, both included; `null` for every day. */
  dates: [string, string] | null
}

/** The county's list of access records: newest first, a page at a time, narrowed by the filter. */
export function useAccessLog() {
  const filter = reactive<AccessFilter>({ user: null, elder: null, dates: null })
  const page = ref(1)
  const result = ref<AccessLogPage>({ items: [], total: 0 })
  const loading = ref(false)
  const error = ref<AppError | null>(null)

  async function load() {
    loading.value = true
    error.value = null
    try {
      result.value = await accessLog({
        user_id: filter.user?.id ?? null,
        elder_id: filter.elder?.id ?? null,
        from: filter.dates?.[0] ?? null,
        to: filter.dates?.[1] ?? null,
        page: page.value,
        page_size: PAGE_SIZE,
      })
    } catch (rejection) {
      result.value = { items: [], total: 0 }
      error.value = toAppError(rejection)
    } finally {
      loading.value = false
    }
  }

  /** Narrows to one user or one elder (the name clicked in a row), from the first page. */
  function only(kind: 'user' | 'elder', row: AccessRow) {
    filter[kind] = kind === 'user' ? { id: row.user_id, name: row.user_name } : { id: row.elder_id, name: row.elder_name }
    page.value = 1
    return load()
  }

  /** Drops one part of the filter, from the first page. */
  function clear(kind: 'user' | 'elder' | 'dates') {
    filter[kind] = null
    page.value = 1
    return load()
  }

  function setDates(dates: [string, string] | null) {
    filter.dates = dates
    page.value = 1
    return load()
  }

  function goTo(next: number) {
    page.value = next
    return load()
  }

  return { filter, page, result, loading, error, load, only, clear, setDates, goTo }
}
