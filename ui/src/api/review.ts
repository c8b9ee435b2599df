import { invoke } from '@tauri-apps/api/core'
import type { Approvals } from '@/bindings/Approvals'
import type { CityExportRequest } from '@/bindings/CityExportRequest'
import type { ExportedArchive } from '@/bindings/ExportedArchive'
import type { ExportLogRow } from '@/bindings/ExportLogRow'
import type { CountyAnomalies } from '@/bindings/CountyAnomalies'
import type { CountyAnomaliesRequest } from '@/bindings/CountyAnomaliesRequest'

// review · anomalies: the county's checks over a month (after a death, double claims, outside places, coverage gaps).
export const countyAnomalies = (request: CountyAnomaliesRequest) =>
  invoke<CountyAnomalies>('county_anomalies', { request })

// review · approvals: submitted meal settlements and adaptation cases at a county step, oldest first.
export const approvals = () => invoke<Approvals>('approvals')

// review · export: the county's data for the city's platform, written to the export folder as a
// zip locked with the request's password, and logged.
export const cityExport = (request: CityExportRequest) => invoke<ExportedArchive>('city_export', { request })

// review · export: every export of this county's data, newest first.
export const exportLog = () => invoke<ExportLogRow[]>('export_log')
