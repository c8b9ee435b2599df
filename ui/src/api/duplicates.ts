import { invoke } from '@tauri-apps/api/core'
import type { DecideDuplicate } from '@/bindings/DecideDuplicate'
import type { DuplicatesPage } from '@/bindings/DuplicatesPage'
import type { UndoDuplicateDecision } from '@/bindings/UndoDuplicateDecision'

// review · duplicates: suspected pairs among every elder here, most alike first, and the decisions taken.
export const duplicates = () => invoke<DuplicatesPage>('duplicates')

// review · duplicates: merges one elder into another, or marks a pair as two people; answers with the page.
export const decideDuplicate = (request: DecideDuplicate) => invoke<DuplicatesPage>('decide_duplicate', { request })

// review · duplicates: undoes a decision, with why; answers with the page.
export const undoDuplicateDecision = (request: UndoDuplicateDecision) =>
  invoke<DuplicatesPage>('undo_duplicate_decision', { request })
