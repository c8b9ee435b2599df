import { beforeEach, describe, expect, it, vi } from 'vitest'
import { exportRegistry, printVisitRegister, rosterTemplate } from '@/api/registry'
import { monthOf } from '@/utils/time'
import { useRegistryFiles } from './useRegistryFiles'

vi.mock('@/api/registry', () => ({ exportRegistry: vi.fn(), printVisitRegister: vi.fn(), rosterTemplate: vi.fn() }))

describe('useRegistryFiles', () => {
  beforeEach(() => {
    vi.mocked(printVisitRegister).mockReset().mockResolvedValue({ path: '/tmp/庄口居委会-2026-11.pdf' })
    vi.mocked(exportRegistry).mockReset().mockResolvedValue({ path: '/tmp/台账.xlsx' })
    vi.mocked(rosterTemplate).mockReset().mockResolvedValue({ path: '/tmp/模板.xlsx' })
  })

  it('prints the village’s register of this month by default and of the chosen month after', async () => {
    const files = useRegistryFiles()
    expect(await files.printRegister('360733105001')).toBe('/tmp/庄口居委会-2026-11.pdf')
    expect(printVisitRegister).toHaveBeenCalledWith({ village_code: '360733105001', month: monthOf(new Date()) })

    files.month.value = '2026-10'
    await files.printRegister('360733105001')
    expect(printVisitRegister).toHaveBeenLastCalledWith({ village_code: '360733105001', month: '2026-10' })
  })

  it('exports the given place and saves the template, resolving to where each was saved', async () => {
    const files = useRegistryFiles()
    expect(await files.exportPlace('360733')).toBe('/tmp/台账.xlsx')
    expect(exportRegistry).toHaveBeenCalledWith({ place_code: '360733' })
    expect(await files.saveTemplate()).toBe('/tmp/模板.xlsx')
  })

  it('exposes the backend message when a file cannot be written', async () => {
    vi.mocked(exportRegistry).mockRejectedValue({ code: 'io', message: '无法写入导出文件夹' })
    const files = useRegistryFiles()
    expect(await files.exportPlace('360733')).toBeNull()
    expect(files.error.value?.message).toBe('无法写入导出文件夹')
    expect(files.busy.value).toBeNull()
  })
})
