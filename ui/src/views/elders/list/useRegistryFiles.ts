import { ref } from 'vue'
import type { SavedFile } from '@/bindings/SavedFile'
import { toAppError, type AppError } from '@/api/error'
import { exportRegistry, rosterTemplate } from '@/api/roster'
import { printVisitRegister } from '@/api/visits'
import { workingMonth } from '@/utils/time'
import { clock } from '@/utils/clock'

type FileKind = 'template' | 'export' | 'print'

/** The registry's files: the roster template, a place's locked roster, a village's monthly visit register. */
export function useRegistryFiles() {
  const busy = ref<FileKind | null>(null)
  const error = ref<AppError | null>(null)
  /** The register's month, "YYYY-MM"; this month to start with. */
  const month = ref(workingMonth(clock.now()).month)

  /** Runs one file command; resolves to where the file was saved, or null (then `error` says why). */
  async function write(kind: FileKind, command: () => Promise<SavedFile>): Promise<string | null> {
    busy.value = kind
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

  const saveTemplate = () => write('template', rosterTemplate)
  /** The place's roster, locked with `password` (it holds full ID numbers). */
  const exportPlace = (placeCode: string, password: string) =>
    write('export', () => exportRegistry({ place_code: placeCode, password }))
  /** The village's register for the month, locked with `password` (it names the elders). */
  const printRegister = (villageCode: string, password: string) =>
    write('print', () => printVisitRegister({ village_code: villageCode, month: month.value, password }))

  return { busy, error, month, saveTemplate, exportPlace, printRegister }
}
