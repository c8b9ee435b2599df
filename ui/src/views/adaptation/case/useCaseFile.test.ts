import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import type { SyncStatus } from '@/bindings/SyncStatus'
import { caseDetail, printCaseFile, recordCaseStep } from '@/api/adaptation'
import { syncStatus } from '@/api/sync'
import { caseDetailAt } from './caseDetailFixture'
import { useCaseFile } from './useCaseFile'

vi.mock('@/api/adaptation', () => ({ caseDetail: vi.fn(), recordCaseStep: vi.fn(), printCaseFile: vi.fn() }))
vi.mock('@/api/sync', () => ({ syncStatus: vi.fn() }))

describe('useCaseFile', () => {
  beforeEach(() => {
    vi.mocked(caseDetail).mockReset().mockResolvedValue(caseDetailAt('township_review'))
    vi.mocked(recordCaseStep).mockReset()
    vi.mocked(printCaseFile).mockReset()
    vi.mocked(syncStatus).mockReset()
  })

  it('loads the case and offers the actions of its current step', async () => {
    const file = useCaseFile(() => 'case-1')
    await file.load()

    expect(caseDetail).toHaveBeenCalledWith({ case_id: 'case-1' })
    expect(file.steps.value[1]?.state).toBe('current')
    expect(file.actions.value).toMatchObject({ step: 'township_review', canFinish: true, canReturn: true })
  })

  it('learns its role from the sync status; a station director is not offered the county’s step', async () => {
    vi.mocked(caseDetail).mockResolvedValue(caseDetailAt('county_review'))
    vi.mocked(syncStatus).mockResolvedValue({ enrolled: true, role: 'station_director' } as SyncStatus)
    const file = useCaseFile(() => 'case-1')
    await file.load()
    await file.loadRole()

    expect(file.actions.value).toMatchObject({ countyStep: true, canFinish: false })
  })

  it('marks the current step done and shows the case as the backend answers', async () => {
    vi.mocked(recordCaseStep).mockResolvedValue(caseDetailAt('county_review'))
    const file = useCaseFile(() => 'case-1')
    await file.load()

    expect(await file.recordStep('done', '  材料齐全 ')).toBe(true)
    expect(recordCaseStep).toHaveBeenCalledWith({ case_id: 'case-1', step: 'township_review', outcome: 'done', notes: '材料齐全' })
    expect(file.detail.value?.progress.step).toBe('county_review')
    expect(file.busy.value).toBeNull()
  })

  it('a refused return keeps the case as it was and shows the backend message', async () => {
    vi.mocked(recordCaseStep).mockRejectedValue({ code: 'invalid', message: '请填写退回原因' })
    const file = useCaseFile(() => 'case-1')
    await file.load()

    expect(await file.recordStep('returned', ' ')).toBe(false)
    expect(file.error.value?.message).toBe('请填写退回原因')
    expect(file.detail.value?.progress.step).toBe('township_review')
  })

  it('prints the case file locked with the typed password and keeps where it was saved', async () => {
    vi.mocked(printCaseFile).mockResolvedValue({ path: '/导出/居家适老化改造一户一档-20261102-4F2A9C.pdf' })
    const file = useCaseFile(() => 'case-1')
    await file.load()

    expect(await file.print('档案密码2026')).toBe('/导出/居家适老化改造一户一档-20261102-4F2A9C.pdf')
    expect(printCaseFile).toHaveBeenCalledWith({ case_id: 'case-1', password: '档案密码2026' })
    expect(file.printedPath.value).toMatch(/一户一档/)
  })

  it('loads another case when the id changes', async () => {
    const id = ref('case-1')
    const file = useCaseFile(() => id.value)
    await file.load()
    id.value = 'case-2'
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(caseDetail).toHaveBeenLastCalledWith({ case_id: 'case-2' })
  })
})
