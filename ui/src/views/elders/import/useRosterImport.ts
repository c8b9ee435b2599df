import { computed, ref } from 'vue'
import type { RosterCheck } from '@/bindings/RosterCheck'
import type { RosterImported } from '@/bindings/RosterImported'
import { toAppError, type AppError } from '@/api/error'
import { checkRoster, importRoster } from '@/api/roster'

/** What the page needs of a picked file; a browser `File` is one. */
export interface PickedFile {
  name: string
  arrayBuffer(): Promise<ArrayBuffer>
}

/**
 * Importing a roster: the picked file is checked row by row first, and only the person's
 * confirmation writes its valid rows.
 */
export function useRosterImport() {
  const fileName = ref('')
  const check = ref<RosterCheck | null>(null)
  const checking = ref(false)
  const importing = ref(false)
  const error = ref<AppError | null>(null)
  let bytes = new Uint8Array()

  /** Whether confirming would write anything: a checked file with a new or changed row. */
  const canImport = computed(() => (check.value ? check.value.new_count + check.value.update_count > 0 : false))

  async function choose(file: PickedFile) {
    fileName.value = file.name
    check.value = null
    error.value = null
    checking.value = true
    try {
      bytes = new Uint8Array(await file.arrayBuffer())
      check.value = await checkRoster(bytes)
    } catch (rejection) {
      bytes = new Uint8Array()
      error.value = toAppError(rejection)
    } finally {
      checking.value = false
    }
  }

  /** Imports the checked file's valid rows; resolves to what was written, or null on failure. */
  async function confirm(): Promise<RosterImported | null> {
    if (!canImport.value) return null
    importing.value = true
    error.value = null
    try {
      return await importRoster(bytes)
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      importing.value = false
    }
  }

  return { fileName, check, checking, importing, error, canImport, choose, confirm }
}
