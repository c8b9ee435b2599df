import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { RosterCheck } from '@/bindings/RosterCheck'
import type { RosterProgress } from '@/bindings/RosterProgress'
import { cancelRoster, checkRoster, importRoster, onRosterProgress } from '@/api/roster'
import { useRosterImport } from './useRosterImport'

vi.mock('@/api/roster', () => ({
  checkRoster: vi.fn(),
  importRoster: vi.fn(),
  cancelRoster: vi.fn(),
  onRosterProgress: vi.fn(),
}))

/** The progress handler the page subscribed, to play the backend's events. */
let report: (progress: RosterProgress) => void = () => {}
const unlisten = vi.fn()

const file = { name: '庄口镇台账.xlsx', arrayBuffer: async () => new Uint8Array([80, 75, 3, 4]).buffer }

const onlyErrors: RosterCheck = {
  rows: [
    {
      row_number: 2,
      name: '王五',
      id_number_masked: '3607**********0012',
      village_name: '',
      action: 'invalid',
      problems: [{ column: '身份证号', message: '校验位不正确' }],
    },
  ],
  new_count: 0,
  update_count: 0,
  unchanged_count: 0,
  invalid_count: 1,
}

describe('useRosterImport', () => {
  beforeEach(() => {
    vi.mocked(checkRoster).mockReset()
    vi.mocked(importRoster).mockReset()
    vi.mocked(cancelRoster).mockReset()
    unlisten.mockReset()
    vi.mocked(onRosterProgress).mockImplementation(async (handler) => {
      report = handler
      return unlisten
    })
  })

  it('checks the picked file’s bytes and shows its counts without importing anything', async () => {
    vi.mocked(checkRoster).mockResolvedValue({ ...onlyErrors, new_count: 3, update_count: 1, unchanged_count: 5 })
    const roster = useRosterImport()
    await roster.choose(file)

    expect(checkRoster).toHaveBeenCalledWith(new Uint8Array([80, 75, 3, 4]), '')
    expect(importRoster).not.toHaveBeenCalled()
    expect(roster.fileName.value).toBe('庄口镇台账.xlsx')
    expect(roster.check.value).toMatchObject({ new_count: 3, update_count: 1, unchanged_count: 5, invalid_count: 1 })
    expect(roster.canImport.value).toBe(true)
  })

  it('disables importing when no row is valid', async () => {
    vi.mocked(checkRoster).mockResolvedValue(onlyErrors)
    const roster = useRosterImport()
    await roster.choose(file)

    expect(roster.canImport.value).toBe(false)
    expect(await roster.confirm()).toBeNull()
    expect(importRoster).not.toHaveBeenCalled()
  })

  it('imports the same bytes it checked once confirmed', async () => {
    vi.mocked(checkRoster).mockResolvedValue({ ...onlyErrors, new_count: 2 })
    vi.mocked(importRoster).mockResolvedValue({ created: 2, updated: 0, unchanged: 0, skipped_invalid: 1 })
    const roster = useRosterImport()
    await roster.choose(file)

    expect(await roster.confirm()).toEqual({ created: 2, updated: 0, unchanged: 0, skipped_invalid: 1 })
    expect(importRoster).toHaveBeenCalledWith(new Uint8Array([80, 75, 3, 4]), '')
  })

  it('shows the backend message for a file that is not Excel and offers nothing to import', async () => {
    vi.mocked(checkRoster).mockRejectedValue({ code: 'not_excel', message: '所选文件不是 Excel（.xlsx）文件' })
    const roster = useRosterImport()
    await roster.choose({ name: 'photo.jpg', arrayBuffer: async () => new ArrayBuffer(2) })

    expect(roster.error.value?.code).toBe('not_excel')
    expect(roster.check.value).toBeNull()
    expect(roster.canImport.value).toBe(false)
  })

  it('shows how far a long import has read, and a cancelled one is no error and imports nothing', async () => {
    vi.mocked(checkRoster).mockResolvedValue({ ...onlyErrors, new_count: 2 })
    const roster = useRosterImport()
    await roster.choose(file)
    let reject: (reason: unknown) => void = () => {}
    vi.mocked(importRoster).mockImplementation(
      () => new Promise((_, rejected) => (reject = rejected)),
    )
    const importing = roster.confirm()
    await vi.waitFor(() => expect(importRoster).toHaveBeenCalled())
    expect(roster.importing.value).toBe(true)
    expect(roster.percent.value).toBeNull()
    report({ phase: 'import', done: 500, total: 2000 })
    expect(roster.percent.value).toBe(25)
    expect(roster.progress.value).toEqual({ phase: 'import', done: 500, total: 2000 })

    await roster.cancel()
    expect(cancelRoster).toHaveBeenCalled()
    reject({ code: 'cancelled', message: '已取消，未写入任何数据' })
    expect(await importing).toBeNull()
    expect(roster.cancelled.value).toBe(true)
    expect(roster.error.value).toBeNull()
    expect(roster.importing.value).toBe(false)
    expect(roster.progress.value).toBeNull()
    expect(unlisten).toHaveBeenCalled()
  })

  it('asks for a locked file’s password, keeps asking after a wrong one, and imports with the right one', async () => {
    vi.mocked(checkRoster)
      .mockRejectedValueOnce({ code: 'password_required', message: '该台账文件设有打开密码，请输入文件密码' })
      .mockRejectedValueOnce({ code: 'wrong_file_password', message: '文件密码不正确，请重新输入' })
      .mockResolvedValueOnce({ ...onlyErrors, new_count: 2 })
    vi.mocked(importRoster).mockResolvedValue({ created: 2, updated: 0, unchanged: 0, skipped_invalid: 1 })
    const roster = useRosterImport()
    await roster.choose(file)
    expect(roster.needsPassword.value).toBe(true)
    expect(roster.error.value).toBeNull()
    expect(roster.check.value).toBeNull()

    await roster.unlock('台账密码2025')
    expect(roster.needsPassword.value).toBe(true)
    expect(roster.error.value?.message).toBe('文件密码不正确，请重新输入')

    await roster.unlock('台账密码2026')
    expect(checkRoster).toHaveBeenLastCalledWith(new Uint8Array([80, 75, 3, 4]), '台账密码2026')
    expect(roster.needsPassword.value).toBe(false)
    expect(roster.check.value?.new_count).toBe(2)
    await roster.confirm()
    expect(importRoster).toHaveBeenCalledWith(new Uint8Array([80, 75, 3, 4]), '台账密码2026')
  })
})
