import { invoke } from '@tauri-apps/api/core'
import type { AppStatus } from '@/bindings/AppStatus'

// app · start-up: what data this computer holds.
export const appStatus = () => invoke<AppStatus>('app_status')

// app · welcome: generate the built-in demo county (会昌县) into the local database.
export const openDemoCounty = () => invoke<AppStatus>('open_demo_county')
