import { invoke } from '@tauri-apps/api/core'
import type { ConflictRow } from '@/bindings/ConflictRow'
import type { ResolveConflict } from '@/bindings/ResolveConflict'

// review · conflicts: every field two computers changed concurrently, each value with who wrote it and when.
export const conflicts = () => invoke<ConflictRow[]>('conflicts')

// review · conflicts: keeps one value (or, for an elder, a typed one); answers with the conflicts left.
export const resolveConflict = (request: ResolveConflict) => invoke<ConflictRow[]>('resolve_conflict', { request })
