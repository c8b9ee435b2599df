import { invoke } from '@tauri-apps/api/core'
import type { CountyAnomalies } from '@/bindings/CountyAnomalies'
import type { CountyAnomaliesRequest } from '@/bindings/CountyAnomaliesRequest'

// review · anomalies: the county's checks over a month (after a death, double claims, outside places, coverage gaps).
export const countyAnomalies = (request: CountyAnomaliesRequest) =>
  invoke<CountyAnomalies>('county_anomalies', { request })
