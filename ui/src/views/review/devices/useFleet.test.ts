import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { DeviceHealth } from '@/bindings/DeviceHealth'
import { fleetHealth } from '@/api/sync'
import { deviceState, useFleet } from './useFleet'

vi.mock('@/api/sync', () => ({ fleetHealth: vi.fn() }))

const device = (fields: Partial<DeviceHealth>): DeviceHealth => ({
  device_id: 'd1',
  label: '白沙村电脑',
  enrolled_by: '刘芳',
  place_codes: ['360733105201'],
  place_names: ['白沙村委会'],
  enrolled_at: '2026-10-01T09:00:00',
  revoked_at: null,
  succeeds_label: null,
  last_sync_at: '2026-11-19T09:00:00',
  last_contact_at: '2026-11-19T09:00:00',
  days_silent: 1,
  silent: false,
  app_version: '0.3.0',
  shards_waiting: 0,
  last_error: null,
  last_error_at: null,
  users: ['刘芳'],
  ...fields,
})

describe('deviceState', () => {
  it('reads revoked, then silent, then a refusal after the last sync, then edits waiting', () => {
    expect(deviceState(device({ revoked_at: '2026-11-01T00:00:00', silent: true }))).toBe('revoked')
    expect(deviceState(device({ silent: true, days_silent: 12 }))).toBe('silent')
    expect(deviceState(device({ last_error: 'outdated: 请更新', last_error_at: '2026-11-19T10:00:00' }))).toBe('error')
    expect(deviceState(device({ last_error: 'busy', last_error_at: '2026-11-18T10:00:00' })), 'overcome by a later sync').toBe('ok')
    expect(deviceState(device({ last_error: 'busy', last_error_at: '2026-11-18T10:00:00', last_sync_at: null }))).toBe('error')
    expect(deviceState(device({ shards_waiting: 3 }))).toBe('waiting')
    expect(deviceState(device({}))).toBe('ok')
  })
})

describe('useFleet', () => {
  beforeEach(() => {
    vi.mocked(fleetHealth).mockReset()
  })

  it('counts the silent devices, and keeps the list shown when a refresh fails offline', async () => {
    vi.mocked(fleetHealth).mockResolvedValue({
      at: '2026-11-20T09:00:00',
      silent_days: 7,
      devices: [device({ device_id: 'd2', silent: true, days_silent: 9 }), device({})],
    })
    const fleet = useFleet()
    await fleet.load()
    expect(fleet.silentCount.value).toBe(1)
    vi.mocked(fleetHealth).mockRejectedValue({ code: 'sync_failed', message: '无法连接县服务器，将自动重试；本机的工作照常保存。' })
    await fleet.load()
    expect(fleet.error.value?.message).toContain('无法连接县服务器')
    expect(fleet.fleet.value?.devices).toHaveLength(2)
    expect(fleet.loading.value).toBe(false)
  })
})
