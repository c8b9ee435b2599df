import { invoke } from '@tauri-apps/api/core'
import type { AccessLogPage } from '@/bindings/AccessLogPage'
import type { AccessLogRequest } from '@/bindings/AccessLogRequest'
import type { AccessRow } from '@/bindings/AccessRow'
import type { ElderId } from '@/bindings/ElderId'
import type { RevealIdNumber } from '@/bindings/RevealIdNumber'

// access · elder page: the full ID number; the view is recorded with the reason.
export const revealIdNumber = (request: RevealIdNumber) => invoke<string>('reveal_id_number', { request })

// access · county: the access records, by user, elder and days (county reviewers only).
export const accessLog = (request: AccessLogRequest) => invoke<AccessLogPage>('access_log', { request })

// access · elder page: who viewed this elder's full data, newest first.
export const elderAccessLog = (request: ElderId) => invoke<AccessRow[]>('elder_access_log', { request })
