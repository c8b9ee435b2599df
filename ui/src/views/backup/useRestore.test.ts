import { nextTick } from 'vue'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { BackupRow } from '@/bindings/BackupRow'
import type { SessionStatus } from '@/bindings/SessionStatus'
import { findBackups, onBackupProgress, restoreBackup, takeOverBackup } from '@/api/backup'
import { useRestore } from './useRestore'

vi.mock('@/api/backup', () => ({
  findBackups: vi.fn(),
  restoreBackup: vi.fn(),
  takeOverBackup: vi.fn(),
  onBackupProgress: vi.fn(),
}))

const row = (overrides: Partial<BackupRow> = {}): BackupRow => ({
  path: '/media/u/stick/xianglin-0c9f3a52-20261207-090000-daily.xlbak',
  device_id: '0c9f3a52',
  file_name: 'xianglin-0c9f3a52-20261207-090000-daily.xlbak',
  created_at: '2026-12-07T09:00:00',
  reason: 'daily',
  app_version: '0.1.0',
  megabytes: 20.4,
  attachments: 0,
  this_pc: false,
  accounts: [{ user_id: 'u-1', masked_name: '刘*', role: 'caseworker', by_code: false }],
  ...overrides,
})

describe('useRestore', () => {
  beforeEach(() => {
    vi.mocked(findBackups).mockReset()
    vi.mocked(restoreBackup).mockReset()
    vi.mocked(takeOverBackup).mockReset()
    vi.mocked(onBackupProgress).mockReset().mockResolvedValue(vi.fn())
  })

  it('finds backups in the named folder and chooses the newest, and its only account', async () => {
    const newest = row()
    const older = row({ path: '/media/u/stick/older.xlbak', created_at: '2026-12-01T09:00:00' })
    vi.mocked(findBackups).mockResolvedValue([newest, older])
    const restore = useRestore()
    restore.folder.value = ' /media/u/stick '
    await restore.find()
    await nextTick()
    expect(findBackups).toHaveBeenCalledWith('/media/u/stick')
    expect(restore.chosen.value).toBe(newest.path)
    expect(restore.userId.value).toBe('u-1')
    expect(restore.ready.value).toBe(false)
    restore.password.value = 'correct horse'
    expect(restore.ready.value).toBe(true)
  })

  it('makes a person choose among several accounts', async () => {
    const two = row({
      accounts: [
        { user_id: 'u-1', masked_name: '刘*', role: 'caseworker', by_code: false },
        { user_id: 'u-2', masked_name: '邱*兰', role: 'caseworker', by_code: false },
      ],
    })
    vi.mocked(findBackups).mockResolvedValue([two])
    const restore = useRestore()
    await restore.find()
    await nextTick()
    expect(restore.userId.value).toBe('')
  })

  it('restores with the chosen account and password, and forgets the password either way', async () => {
    vi.mocked(findBackups).mockResolvedValue([row()])
    const session = { stage: 'signed_in' } as SessionStatus
    vi.mocked(restoreBackup).mockRejectedValueOnce({ code: 'wrong_password', message: '密码不正确' }).mockResolvedValueOnce(session)
    const restore = useRestore()
    await restore.find()
    await nextTick()
    restore.password.value = 'wrong'
    expect(await restore.restore()).toBeNull()
    expect(restore.error.value?.code).toBe('wrong_password')
    expect(restore.password.value).toBe('')
    restore.password.value = 'correct horse'
    expect(await restore.restore()).toBe(session)
    expect(restoreBackup).toHaveBeenLastCalledWith({
      path: row().path,
      user_id: 'u-1',
      password: 'correct horse',
      by_code: false,
      new_password: null,
    })
    expect(restore.password.value).toBe('')
  })

  it("opens with the county's restore code only together with a new password, and forgets both", async () => {
    const coded = row({ accounts: [{ user_id: 'u-2', masked_name: '谢*华', role: 'station_director', by_code: true }] })
    vi.mocked(findBackups).mockResolvedValue([coded])
    vi.mocked(restoreBackup).mockResolvedValue({} as SessionStatus)
    const restore = useRestore()
    await restore.find()
    await nextTick()
    expect(restore.byCode.value).toBe(true)
    restore.password.value = 'ABCD-EFGH-JKMN'
    expect(restore.ready.value).toBe(false)
    restore.newPassword.value = 'new password 1'
    expect(restore.ready.value).toBe(true)
    await restore.restore()
    expect(restoreBackup).toHaveBeenCalledWith({
      path: coded.path,
      user_id: 'u-2',
      password: 'ABCD-EFGH-JKMN',
      by_code: true,
      new_password: 'new password 1',
    })
    expect([restore.password.value, restore.newPassword.value]).toEqual(['', ''])
  })

  it('says when nothing was found', async () => {
    vi.mocked(findBackups).mockResolvedValue([])
    const restore = useRestore()
    await restore.find()
    expect(restore.found.value).toEqual([])
    expect(restore.chosen.value).toBeNull()
  })

  it('taking over a lost PC lists only its backups and merges with the chosen account, never restoring', async () => {
    const lost = row({ path: '/media/u/stick/lost.xlbak', device_id: 'aa11' })
    const another = row({ path: '/media/u/stick/another.xlbak', device_id: 'bb22' })
    const mine = row({ path: '/data/backups/mine.xlbak', device_id: 'cc33', this_pc: true })
    vi.mocked(findBackups).mockResolvedValue([mine, another, lost])
    vi.mocked(takeOverBackup).mockResolvedValue({ shards: 2, changed: 1, outside: 0, attachments: 1 })
    const restore = useRestore(['aa11'])
    await restore.find()
    await nextTick()
    expect(restore.found.value).toEqual([lost])
    restore.password.value = 'old password'
    expect(await restore.takeOver()).toEqual({ shards: 2, changed: 1, outside: 0, attachments: 1 })
    expect(takeOverBackup).toHaveBeenCalledWith({
      path: lost.path,
      user_id: 'u-1',
      password: 'old password',
      by_code: false,
      new_password: null,
    })
    expect(restoreBackup).not.toHaveBeenCalled()
    expect(restore.password.value).toBe('')
  })
})
