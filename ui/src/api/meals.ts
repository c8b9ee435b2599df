import { invoke } from '@tauri-apps/api/core'
import type { AddAdjustment } from '@/bindings/AddAdjustment'
import type { CopyMealDay } from '@/bindings/CopyMealDay'
import type { Diner } from '@/bindings/Diner'
import type { DinerRow } from '@/bindings/DinerRow'
import type { DinersRequest } from '@/bindings/DinersRequest'
import type { EnrollDiner } from '@/bindings/EnrollDiner'
import type { LeaveDiner } from '@/bindings/LeaveDiner'
import type { MealAdjustment } from '@/bindings/MealAdjustment'
import type { MealPoint } from '@/bindings/MealPoint'
import type { MealPointRow } from '@/bindings/MealPointRow'
import type { MealPointsRequest } from '@/bindings/MealPointsRequest'
import type { MealRoster } from '@/bindings/MealRoster'
import type { MealRosterRequest } from '@/bindings/MealRosterRequest'
import type { MealSet } from '@/bindings/MealSet'
import type { ReviewSettlement } from '@/bindings/ReviewSettlement'
import type { SavedFile } from '@/bindings/SavedFile'
import type { SetMeal } from '@/bindings/SetMeal'
import type { Settlement } from '@/bindings/Settlement'
import type { SettlementFile } from '@/bindings/SettlementFile'
import type { SettlementRequest } from '@/bindings/SettlementRequest'
import type { SubmitSettlement } from '@/bindings/SubmitSettlement'
import type { TownshipSettlements } from '@/bindings/TownshipSettlements'
import type { TownshipSettlementsRequest } from '@/bindings/TownshipSettlementsRequest'

// meals · points: the meal points of a township, each with how many elders eat there now.
export const mealPoints = (request: MealPointsRequest) => invoke<MealPointRow[]>('meal_points', { request })

// meals · points: saves a meal point (slots and prices, modes, open days, closures); an empty id makes a new one.
export const saveMealPoint = (request: MealPoint) => invoke<MealPoint>('save_meal_point', { request })

// meals · points: the elders enrolled at a point, with masked ID number, band and eligibility.
export const mealDiners = (request: DinersRequest) => invoke<DinerRow[]>('meal_diners', { request })

// meals · points: enrolls an elder of the registry at a point from a date.
export const enrollDiner = (request: EnrollDiner) => invoke<Diner>('enroll_diner', { request })

// meals · points: ends an elder's enrollment at a point from a date.
export const leaveDiner = (request: LeaveDiner) => invoke<Diner>('leave_diner', { request })

// meals · roster: a point's diners on one day, with the meals recorded and the day's totals.
export const mealRoster = (request: MealRosterRequest) => invoke<MealRoster>('meal_roster', { request })

// meals · roster: ticks (saves) or unticks one diner's slot at once; answers with the line and the day's totals.
export const setMeal = (request: SetMeal) => invoke<MealSet>('set_meal', { request })

// meals · roster: records on a day the meals each diner had on an earlier day, where none is recorded yet.
export const copyMealDay = (request: CopyMealDay) => invoke<MealRoster>('copy_meal_day', { request })

// meals · settlement: a point's month: per elder lines, adjustments, totals, status and the checks' findings.
export const mealSettlement = (request: SettlementRequest) => invoke<Settlement>('meal_settlement', { request })

// meals · settlement: every point of a township for a month, and their sum.
export const townshipSettlements = (request: TownshipSettlementsRequest) =>
  invoke<TownshipSettlements>('township_settlements', { request })

// meals · settlement: the station submits a point's month to the county.
export const submitSettlement = (request: SubmitSettlement) => invoke<Settlement>('submit_settlement', { request })

// meals · settlement: the county approves (locks) or returns a submitted month; others are refused.
export const reviewSettlement = (request: ReviewSettlement) => invoke<Settlement>('review_settlement', { request })

// meals · settlement: books a correction of a locked month in the point's next open month.
export const addMealAdjustment = (request: AddAdjustment) => invoke<MealAdjustment>('add_meal_adjustment', { request })

// meals · settlement: prints a point's settlement statement as PDF to the export folder.
export const printSettlement = (request: SettlementFile) => invoke<SavedFile>('print_settlement', { request })

// meals · settlement: saves a point's settlement as an Excel workbook to the export folder.
export const exportSettlement = (request: SettlementFile) => invoke<SavedFile>('export_settlement', { request })

// meals · settlement: prints the township's summary of its points for a month as PDF.
export const printTownshipSettlements = (request: TownshipSettlementsRequest) =>
  invoke<SavedFile>('print_township_settlements', { request })
