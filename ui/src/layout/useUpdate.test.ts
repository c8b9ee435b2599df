import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { UpdateStatus } from '@/bindings/UpdateStatus'
import { installUpdate, updateStatus } from '@/api/update'
import { LOOK_EVERY, LOOK_WHILE_DOWNLOADING, downloadPercent, useUpdate } from './useUpdate'

vi.mock('@/api/update', () => ({ updateStatus: vi.fn(), installUpdate: vi.fn() }))

const status = (overrides: Partial<UpdateStatus> = {}): UpdateStatus => ({
  running: '0.1.0',
  version: '0.2.0',
  state: 'downloading',
  downloaded_mb: 6.3,
  total_mb: 25.2,
  message: null,
  ...overrides,
})

describe('useUpdate', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.mocked(updateStatus).mockReset()
    vi.mocked(installUpdate).mockReset()
  })
  afterEach(() => vi.useRealTimers())

  it('shows nothing when the county offers nothing newer', async () => {
    vi.mocked(updateStatus).mockResolvedValue(status({ version: null, state: 'none', downloaded_mb: 0, total_mb: 0 }))
    const update = useUpdate()
    await update.refresh()
    expect(update.offered.value).toBe(false)
  })

  it('looks often while a download runs, and rarely once it is ready', async () => {
    vi.mocked(updateStatus)
      .mockResolvedValueOnce(status())
      .mockResolvedValueOnce(status({ downloaded_mb: 25.2, state: 'ready' }))
      .mockResolvedValue(status({ downloaded_mb: 25.2, state: 'ready' }))
    const update = useUpdate()
    await update.start()
    expect(downloadPercent(update.status.value)).toBe(25)
    await vi.advanceTimersByTimeAsync(LOOK_WHILE_DOWNLOADING * 1000)
    expect(update.status.value?.state).toBe('ready')
    expect(updateStatus).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(LOOK_WHILE_DOWNLOADING * 1000)
    expect(updateStatus).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(LOOK_EVERY * 1000)
    expect(updateStatus).toHaveBeenCalledTimes(3)
    update.stop()
  })

  it('installs and says so, or keeps the refusal and the ready package', async () => {
    vi.mocked(updateStatus).mockResolvedValue(status({ state: 'ready', downloaded_mb: 25.2 }))
    vi.mocked(installUpdate).mockRejectedValueOnce({
      code: 'update_cancelled',
      message: '没有获得管理员授权，更新未安装。也可请管理员在终端运行：sudo apt install /data/updates/xianglin_0.2.0_amd64.deb',
    })
    const update = useUpdate()
    await update.refresh()
    expect(await update.install()).toBe(false)
    expect(update.error.value?.code).toBe('update_cancelled')
    expect(update.status.value?.state).toBe('ready')
    vi.mocked(installUpdate).mockResolvedValueOnce(status({ state: 'installed', message: '乡邻 0.2.0 版已安装' }))
    expect(await update.install()).toBe(true)
    expect(update.error.value).toBeNull()
    expect(update.status.value?.state).toBe('installed')
  })

  it('counts a download in whole percents, never past 100', () => {
    expect(downloadPercent(null)).toBe(0)
    expect(downloadPercent(status({ downloaded_mb: 0, total_mb: 0 }))).toBe(0)
    expect(downloadPercent(status({ downloaded_mb: 30, total_mb: 25.2 }))).toBe(100)
  })
})
