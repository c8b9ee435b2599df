import { invoke } from '@tauri-apps/api/core'
import type { AppStatus } from '@/bindings/AppStatus'
import type { UserOption } from '@/bindings/UserOption'

// app · start-up: what data this computer holds.
export const appStatus = () => invoke<AppStatus>('app_status')

// app · welcome: generate the built-in demo county (会昌县) into the local database.
export const openDemoCounty = () => invoke<AppStatus>('open_demo_county')

// app · header: everyone of the demo county, to sign in as (empty outside the demo).
export const demoUsers = () => invoke<UserOption[]>('demo_users')

// app · header: signs someone of the demo county in; answers with the app status.
export const switchDemoUser = (userId: string) => invoke<AppStatus>('switch_demo_user', { userId })
