import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { BackupList } from '@/bindings/BackupList'
import type { BackupProgress } from '@/bindings/BackupProgress'
import type { BackupRow } from '@/bindings/BackupRow'
import { backupNow, backups, onBackupProgress, setBackupCopyTo } from '@/api/backup'
import { percent, useBackups } from './useBackups'

vi.mock('@/api/backup', () => ({ backups: vi.fn(), backupNow: vi.fn(), onBackupProgress: vi.fn(), setBackupCopyTo: vi.fn() }))

const row = (overrides: Partial<BackupRow> = {}): BackupRow => ({
  path: '/data/backups/xianglin-0c9f3a52-20261207-090000-daily.xlbak',
  device_id: '0c9f3a52',
  file_name: 'xianglin-0c9f3a52-20261207-090000-daily.xlbak',
  created_at: '2026-12-07T09:00:00',
  reason: 'daily',
  app_version: '0.1.0',
  megabytes: 20.4,
  attachments: 0,
  this_pc: true,
  accounts: [{ user_id: 'u-1', masked_name: '刘*', role: 'caseworker', by_code: false }],
  ...overrides,
})
const list = (rows: BackupRow[], copyTo: string | null = null): BackupList => ({
  folder: '/data/backups',
  keep_days: 30,
  keep_at_least: 3,
  copy_to: copyTo,
  backups: rows,
  succeeds: [],
})

describe('useBackups', () => {
  let report: ((progress: BackupProgress) => void) | null = null
  const unlisten = vi.fn()

  beforeEach(() => {
    vi.mocked(backups).mockReset().mockResolvedValue(list([row()]))
    vi.mocked(backupNow).mockReset()
    unlisten.mockReset()
    vi.mocked(onBackupProgress)
      .mockReset()
      .mockImplementation(async (handler) => {
        report = handler
        return unlisten
      })
  })

  it('lists the backups', async () => {
    const page = useBackups()
    await page.load()
    expect(page.list.value?.backups.map((backup) => backup.reason)).toEqual(['daily'])
    expect(page.error.value).toBeNull()
  })

  it('backs up now with its progress, copies to the named folder, then lists the new backup', async () => {
    const made = row({ reason: 'manual', path: '/media/u/stick/xianglin-manual.xlbak' })
    let seen: number[] = []
    vi.mocked(backupNow).mockImplementation(async () => {
      report?.({ phase: 'writing', fraction: 0.25 })
      seen.push(percent(page.progress.value))
      report?.({ phase: 'writing', fraction: 1 })
      seen.push(percent(page.progress.value))
      return made
    })
    vi.mocked(backups).mockResolvedValue(list([made, row()]))
    const page = useBackups()
    page.copyTo.value = '  /media/u/stick '
    expect(await page.makeNow()).toEqual(made)
    expect(backupNow).toHaveBeenCalledWith('/media/u/stick')
    expect(seen).toEqual([25, 100])
    expect(page.list.value?.backups).toHaveLength(2)
    expect(page.running.value).toBe(false)
    expect(unlisten).toHaveBeenCalled()
    seen = []
  })

  it('keeps the error of a failed backup and stops listening', async () => {
    vi.mocked(backupNow).mockRejectedValue({ code: 'no_folder', message: '找不到文件夹 /media/u/stick：请检查U盘是否已插好' })
    const page = useBackups()
    page.copyTo.value = '/media/u/stick'
    expect(await page.makeNow()).toBeNull()
    expect(page.error.value?.code).toBe('no_folder')
    expect(page.running.value).toBe(false)
    expect(unlisten).toHaveBeenCalled()
  })

  it('asks for no copy when the folder is left empty', async () => {
    vi.mocked(backupNow).mockResolvedValue(row({ reason: 'manual' }))
    await useBackups().makeNow()
    expect(backupNow).toHaveBeenCalledWith(null)
  })
})

describe('percent', () => {
  it('is a whole percent within 0 and 100', () => {
    expect(percent(null)).toBe(0)
    expect(percent({ phase: 'copying', fraction: 0.456 })).toBe(46)
    expect(percent({ phase: 'copying', fraction: 1.2 })).toBe(100)
  })

  it('starts daily copies to the stick named, shows them set at the next visit, and stops them', async () => {
    vi.mocked(setBackupCopyTo).mockReset().mockResolvedValueOnce(list([row()], '/media/u/stick'))
    const page = useBackups()
    await page.load()
    expect(page.daily.value).toBe(false)
    page.copyTo.value = ' /media/u/stick '
    expect(await page.setDaily(true)).toBe(true)
    expect(setBackupCopyTo).toHaveBeenLastCalledWith('/media/u/stick')
    expect(page.daily.value).toBe(true)

    vi.mocked(backups).mockResolvedValue(list([row()], '/media/u/stick'))
    const again = useBackups()
    await again.load()
    expect(again.copyTo.value).toBe('/media/u/stick')
    expect(again.daily.value).toBe(true)

    vi.mocked(setBackupCopyTo).mockRejectedValueOnce({ code: 'no_folder', message: '找不到文件夹' })
    expect(await again.setDaily(true)).toBe(false)
    expect(again.error.value?.code).toBe('no_folder')
    vi.mocked(setBackupCopyTo).mockResolvedValueOnce(list([row()]))
    expect(await again.setDaily(false)).toBe(true)
    expect(setBackupCopyTo).toHaveBeenLastCalledWith(null)
    expect(again.daily.value).toBe(false)
  })
})
