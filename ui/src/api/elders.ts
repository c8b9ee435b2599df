import { invoke } from '@tauri-apps/api/core'
import type { ElderDetail } from '@/bindings/ElderDetail'
import type { ElderId } from '@/bindings/ElderId'
import type { ElderPage } from '@/bindings/ElderPage'
import type { ElderSearch } from '@/bindings/ElderSearch'
import type { PlaceNode } from '@/bindings/PlaceNode'

// elders · registry: the county's townships, each with its villages and elder counts.
export const placeTree = () => invoke<PlaceNode[]>('place_tree')

// elders · registry: one page of elders matching name, pinyin, initials or ID number digits.
export const searchElders = (request: ElderSearch) => invoke<ElderPage>('search_elders', { request })

// elders · detail: one elder with contacts, recent visits and unresolved conflicts.
export const getElder = (request: ElderId) => invoke<ElderDetail>('get_elder', { request })
