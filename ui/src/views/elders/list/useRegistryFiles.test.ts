import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { exportRegistry, rosterTemplate } from '@/api/roster'
import { printVisitRegister } from '@/api/visits'
import { clock } from '@/utils/clock'
import { monthOf, workingMonth } from '@/utils/time'
import { useRegistryFiles } from './useRegistryFiles'

vi.mock('@/api/roster', () => ({ exportRegistry: vi.fn(), rosterTemplate: vi.fn() }))
vi.mock('@/api/visits', () => ({ printVisitRegister: vi.fn() }))

describe('useRegistryFiles', () => {
  beforeEach(() => {
    vi.mocked(printVisitRegister).mockReset().mockResolvedValue({ path: '/tmp/庄口居委会-2026-11.pdf' })
    vi.mocked(exportRegistry).mockReset().mockResolvedValue({ path: '/tmp/台账.xlsx' })
    vi.mocked(rosterTemplate).mockReset().mockResolvedValue({ path: '/tmp/模板.xlsx' })
  })

  afterEach(() => vi.restoreAllMocks())

  it('prints the register of the month just closed in a month’s first week, of this month after', async () => {
    vi.spyOn(clock, 'now').mockReturnValue(new Date(2027, 0, 3, 9, 0, 0))
    await useRegistryFiles().printRegister('360733105001', '探访密码2026')
    expect(printVisitRegister).toHaveBeenLastCalledWith({ village_code: '360733105001', month: '2026-12', password: '探访密码2026' })
    vi.spyOn(clock, 'now').mockReturnValue(new Date(2027, 0, 8, 9, 0, 0))
    await useRegistryFiles().printRegister('360733105001', '探访密码2026')
    expect(printVisitRegister).toHaveBeenLastCalledWith({ village_code: '360733105001', month: '2027-01', password: '探访密码2026' })
  })

  it('prints the working month of the day it runs by default, and the chosen month after', async () => {
    const files = useRegistryFiles()
    expect(await files.printRegister('360733105001', '探访密码2026')).toBe('/tmp/庄口居委会-2026-11.pdf')
    const expected = workingMonth(clock.now()).month
    expect(printVisitRegister).toHaveBeenCalledWith({ village_code: '360733105001', month: expected, password: '探访密码2026' })
    expect(expected <= monthOf(clock.now())).toBe(true)

    files.month.value = '2026-10'
    await files.printRegister('360733105001', '探访密码2026')
    expect(printVisitRegister).toHaveBeenLastCalledWith({ village_code: '360733105001', month: '2026-10', password: '探访密码2026' })
  })

  it('exports the given place and saves the template, resolving to where each was saved', async () => {
    const files = useRegistryFiles()
    expect(await files.exportPlace('360733', '台账密码2026')).toBe('/tmp/台账.xlsx')
    expect(exportRegistry).toHaveBeenCalledWith({ place_code: '360733', password: '台账密码2026' })
    expect(await files.saveTemplate()).toBe('/tmp/模板.xlsx')
  })

  it('exposes the backend message when a file cannot be written', async () => {
    vi.mocked(exportRegistry).mockRejectedValue({ code: 'io', message: '无法写入导出文件夹' })
    const files = useRegistryFiles()
    expect(await files.exportPlace('360733', '台账密码2026')).toBeNull()
    expect(files.error.value?.message).toBe('无法写入导出文件夹')
    expect(files.busy.value).toBeNull()
  })
})
