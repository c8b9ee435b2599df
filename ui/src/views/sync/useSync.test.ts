import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SyncStatus } from '@/bindings/SyncStatus'
import { enrollDevice, exportSyncBundle, importSyncAnswer, syncNow, syncStatus } from '@/api/sync'
import { syncBadge, useSync } from './useSync'

vi.mock('@/api/sync', () => ({
  syncStatus: vi.fn(),
  syncNow: vi.fn(),
  enrollDevice: vi.fn(),
  exportSyncBundle: vi.fn(),
  importSyncAnswer: vi.fn(),
}))

const status = (overrides: Partial<SyncStatus> = {}): SyncStatus => ({
  enrolled: true,
  server_url: 'http://127.0.0.1:8440',
  role: 'station_director',
  places: ['360733100000'],
  device_id: '0c9f3a52-7e1b-4d6a-9f0e-2b8c4d1a7e55',
  syncing: false,
  last_success: '2026-11-23 09:05:12',
  last_attempt: '2026-11-23 09:05:12',
  waiting_shards: 0,
  last_error: null,
  next_attempt_in_seconds: 240,
  ...overrides,
})

describe('useSync', () => {
  beforeEach(() => {
    vi.mocked(syncStatus).mockReset().mockResolvedValue(status({ waiting_shards: 2 }))
    vi.mocked(syncNow).mockReset()
    vi.mocked(enrollDevice).mockReset()
    vi.mocked(exportSyncBundle).mockReset()
    vi.mocked(importSyncAnswer).mockReset()
  })

  afterEach(() => vi.useRealTimers())

  it('loads the status', async () => {
    const sync = useSync()
    await sync.load()

    expect(syncStatus).toHaveBeenCalledOnce()
    expect(sync.status.value?.waiting_shards).toBe(2)
    expect(sync.status.value?.role).toBe('station_director')
    expect(sync.error.value).toBeNull()
  })

  it('replaces the status with the one the sync ended with, busy meanwhile', async () => {
    let answer: (next: SyncStatus) => void = () => {}
    vi.mocked(syncNow).mockReturnValue(new Promise((resolve) => (answer = resolve)))
    const sync = useSync()
    await sync.load()

    const running = sync.syncNow()
    expect(sync.busy.value).toBe(true)
    expect(await sync.syncNow()).toBe(false)
    answer(status({ last_success: '2026-11-23 10:00:00', waiting_shards: 0 }))
    expect(await running).toBe(true)

    expect(syncNow).toHaveBeenCalledOnce()
    expect(sync.busy.value).toBe(false)
    expect(sync.status.value?.last_success).toBe('2026-11-23 10:00:00')
    expect(sync.status.value?.waiting_shards).toBe(0)
  })

  it('clears busy and shows the backend message when the sync fails', async () => {
    vi.mocked(syncNow).mockRejectedValue({ code: 'not_enrolled', message: '本机尚未登记到县服务器' })
    const sync = useSync()
    await sync.load()

    expect(await sync.syncNow()).toBe(false)
    expect(sync.busy.value).toBe(false)
    expect(sync.error.value).toEqual({ code: 'not_enrolled', message: '本机尚未登记到县服务器', problems: [] })
    expect(sync.status.value?.waiting_shards).toBe(2)
  })

  it('enrolls with the trimmed form and shows the status of the first sync', async () => {
    vi.mocked(enrollDevice).mockResolvedValue(status())
    const sync = useSync()

    const enrolled = await sync.enroll({ server_url: ' http://10.0.0.5:8440 ', fingerprint: '  ', code: 'abcd-efgh-jkmn ', label: '庄口镇敬老院办公室', password: 'station-pass' }, 'station-pass')

    expect(enrolled).toBe(true)
    expect(enrollDevice).toHaveBeenCalledWith({
      server_url: 'http://10.0.0.5:8440',
      fingerprint: null,
      code: 'ABCD-EFGH-JKMN',
      label: '庄口镇敬老院办公室',
      password: 'station-pass',
    })
    expect(sync.status.value?.enrolled).toBe(true)
    expect(sync.enrolling.value).toBe(false)
  })

  it('sends the county certificate’s fingerprint with an https address', async () => {
    vi.mocked(enrollDevice).mockResolvedValue(status())
    const sync = useSync()
    const fingerprint = 'AB:CD'.padEnd(95, ':0')

    await sync.enroll({ server_url: 'https://county.example:8440', fingerprint: ` ${fingerprint} `, code: 'AAAA-BBBB-CCCC', label: '办公室', password: 'station-pass' }, 'station-pass')

    expect(enrollDevice).toHaveBeenCalledWith(expect.objectContaining({ server_url: 'https://county.example:8440', fingerprint }))
  })

  it('shows the backend’s Chinese message and returns false when enrolling fails', async () => {
    vi.mocked(enrollDevice).mockRejectedValue({ code: 'enroll_refused', message: '登记码无效或已使用' })
    const sync = useSync()

    const enrolled = await sync.enroll({ server_url: 'http://127.0.0.1:8440', fingerprint: null, code: 'AAAA-BBBB-CCCC', label: '办公室', password: 'station-pass' }, 'station-pass')

    expect(enrolled).toBe(false)
    expect(sync.error.value).toEqual({ code: 'enroll_refused', message: '登记码无效或已使用', problems: [] })
    expect(sync.status.value).toBeNull()
    expect(sync.enrolling.value).toBe(false)
  })

  it('does not send a form whose code is empty', async () => {
    const sync = useSync()

    const enrolled = await sync.enroll({ server_url: 'http://127.0.0.1:8440', fingerprint: null, code: '   ', label: '办公室', password: 'station-pass' }, 'station-pass')

    expect(enrolled).toBe(false)
    expect(enrollDevice).not.toHaveBeenCalled()
    expect(sync.error.value?.message).toBe('请填写服务器地址、登记码和本机名称')
  })

  it('does not send a password that is too short or typed differently twice', async () => {
    const sync = useSync()
    const form = { server_url: 'http://127.0.0.1:8440', fingerprint: null, code: 'AAAA-BBBB-CCCC', label: '办公室' }

    expect(await sync.enroll({ ...form, password: 'short' }, 'short')).toBe(false)
    expect(sync.error.value?.message).toBe('密码至少 8 个字符')
    expect(await sync.enroll({ ...form, password: 'station-pass' }, 'station-pas')).toBe(false)
    expect(sync.error.value?.message).toBe('两次输入的密码不一致')
    expect(enrollDevice).not.toHaveBeenCalled()
  })

  it('exports the sync bundle and returns where it was saved', async () => {
    const path = 'C:\\Users\\站长\\Documents\\乡邻\\同步包-20261123-0905.xlsync'
    let saved: (file: { path: string }) => void = () => {}
    vi.mocked(exportSyncBundle).mockReturnValue(new Promise((resolve) => (saved = resolve)))
    const sync = useSync()

    const exporting = sync.exportBundle()
    expect(sync.transferring.value).toBe(true)
    saved({ path })

    expect(await exporting).toBe(path)
    expect(exportSyncBundle).toHaveBeenCalledOnce()
    expect(sync.transferring.value).toBe(false)
    expect(sync.error.value).toBeNull()
  })

  it('returns null and shows the backend message when exporting fails', async () => {
    vi.mocked(exportSyncBundle).mockRejectedValue({ code: 'not_enrolled', message: '本机尚未登记到县服务器' })
    const sync = useSync()

    expect(await sync.exportBundle()).toBeNull()
    expect(sync.error.value).toEqual({ code: 'not_enrolled', message: '本机尚未登记到县服务器', problems: [] })
    expect(sync.transferring.value).toBe(false)
  })

  it('sends the answer file’s bytes as number[] and replaces the status with the answer', async () => {
    vi.mocked(importSyncAnswer).mockResolvedValue(status({ last_success: '2026-11-24 14:30:00', waiting_shards: 0 }))
    const sync = useSync()
    await sync.load()
    expect(sync.status.value?.waiting_shards).toBe(2)

    const file = new File([new Uint8Array([88, 76, 0, 255, 7])], '回执.xlsync')
    expect(await sync.importAnswer(file)).toBe(true)

    expect(importSyncAnswer).toHaveBeenCalledExactlyOnceWith(new Uint8Array([88, 76, 0, 255, 7]))
    expect(sync.status.value?.last_success).toBe('2026-11-24 14:30:00')
    expect(sync.status.value?.waiting_shards).toBe(0)
    expect(sync.transferring.value).toBe(false)
    expect(sync.error.value).toBeNull()
  })

  it('shows the backend’s Chinese message and keeps the status when the answer is refused', async () => {
    vi.mocked(importSyncAnswer).mockRejectedValue({ code: 'answer_not_for_device', message: '此回执不是发给本机的' })
    const sync = useSync()
    await sync.load()
    const before = sync.status.value

    expect(await sync.importAnswer(new File([new Uint8Array([1, 2, 3])], '别处的回执.xlsync'))).toBe(false)

    expect(importSyncAnswer).toHaveBeenCalledWith(new Uint8Array([1, 2, 3]))
    expect(sync.error.value).toEqual({ code: 'answer_not_for_device', message: '此回执不是发给本机的', problems: [] })
    expect(sync.status.value).toBe(before)
    expect(sync.status.value?.waiting_shards).toBe(2)
    expect(sync.transferring.value).toBe(false)
  })

  it('polls the status until stopped', async () => {
    vi.useFakeTimers()
    const sync = useSync()
    sync.startPolling(10)
    expect(syncStatus).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(syncStatus).toHaveBeenCalledTimes(3)
    sync.stopPolling()
    await vi.advanceTimersByTimeAsync(30_000)
    expect(syncStatus).toHaveBeenCalledTimes(3)
  })
})

describe('syncBadge', () => {
  it('says the most pressing thing first', () => {
    expect(syncBadge(status({ enrolled: false, syncing: true }))).toEqual({ kind: 'not_enrolled' })
    expect(syncBadge(status({ syncing: true, last_error: '连接失败' }))).toEqual({ kind: 'syncing' })
    expect(syncBadge(status({ last_error: '无法连接县服务器', waiting_shards: 3 }))).toEqual({
      kind: 'error',
      message: '无法连接县服务器',
    })
    expect(syncBadge(status({ waiting_shards: 3 }))).toEqual({ kind: 'waiting', shards: 3 })
    expect(syncBadge(status({ last_success: null }))).toEqual({ kind: 'never' })
    expect(syncBadge(status())).toEqual({ kind: 'synced', time: '09:05' })
  })
})
