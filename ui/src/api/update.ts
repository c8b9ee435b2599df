import { invoke } from '@tauri-apps/api/core'
import type { UpdateStatus } from '@/bindings/UpdateStatus'

// update · status: the release the county offers, and how far its download has come.
export const updateStatus = () => invoke<UpdateStatus>('update_status')

// update · install: backs this PC up, then installs the checked package with the system's privilege prompt (安装更新).
export const installUpdate = () => invoke<UpdateStatus>('install_update')
