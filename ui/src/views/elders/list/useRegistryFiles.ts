import { ref } from 'vue'
import type { SavedFile } from '@/bindings/SavedFile'
import { toAppError, type AppError } from '@/api/error'
import { exportRegistry, rosterTemplate } from '@/api/roster'
import { printVisitRegister } from '@/api/visits'
import { workingMonth } from '@/utils/time'
import { clock } from '@/utils/clock'

type FileKind = 'template' | 'export' | 'print'

/** The registry's files: the roster template, a place's roster, a village's monthly visit register. */
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
  const exportPlace = (placeCode: string) => write('export', () => exportRegistry({ place_code: placeCode }))
  const printRegister = (villageCode: string) =>
    write('print', () => printVisitRegister({ village_code: villageCode, month: month.value }))

  return { busy, error, month, saveTemplate, exportPlace, printRegister }
}
