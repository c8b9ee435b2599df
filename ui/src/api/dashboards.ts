import { invoke } from '@tauri-apps/api/core'
import type { CoverageTrend } from '@/bindings/CoverageTrend'
import type { DashboardFile } from '@/bindings/DashboardFile'
import type { MealTrend } from '@/bindings/MealTrend'
import type { SavedFile } from '@/bindings/SavedFile'
import type { TrendRequest } from '@/bindings/TrendRequest'

// review · reports: 月探访率 month by month of the county (by township) or of a township (by village).
export const coverageTrend = (request: TrendRequest) => invoke<CoverageTrend>('coverage_trend', { request })

// review · reports: meals and subsidy month by month of the county (by township) or of a township (by meal point).
export const mealTrend = (request: TrendRequest) => invoke<MealTrend>('meal_trend', { request })

// review · reports: one dashboard's table as an .xlsx workbook in the export folder.
export const exportDashboard = (request: DashboardFile) => invoke<SavedFile>('export_dashboard', { request })

// review · reports: one dashboard's table printed as PDF to the export folder.
export const printDashboard = (request: DashboardFile) => invoke<SavedFile>('print_dashboard', { request })
