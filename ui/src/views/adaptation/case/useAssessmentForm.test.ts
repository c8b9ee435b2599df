import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Assessment } from '@/bindings/Assessment'
import { elderAssessments, recordAssessment } from '@/api/adaptation'
import { assessmentItems } from './assessmentScoring'
import { useAssessmentForm } from './useAssessmentForm'

vi.mock('@/api/adaptation', () => ({ elderAssessments: vi.fn(), recordAssessment: vi.fn() }))

const now = () => new Date(2026, 10, 23, 9, 0, 0)

function scoreAll(form: ReturnType<typeof useAssessmentForm>['form'], score: (max: number) => number) {
  for (const { item, max } of assessmentItems) form.scores[item] = score(max)
}

describe('useAssessmentForm', () => {
  beforeEach(() => {
    vi.mocked(elderAssessments).mockReset().mockResolvedValue([])
    vi.mocked(recordAssessment).mockReset()
  })

  it('starts today, first assessment, every item unscored, and previews as items are scored', () => {
    const assessment = useAssessmentForm(() => 'elder-1', now)
    expect(assessment.form.assessedOn).toBe('2026-11-23')
    expect(assessment.form.reason).toBe('first')
    expect(assessment.unscored.value).toHaveLength(26)

    scoreAll(assessment.form, (max) => max)
    expect(assessment.preview.value).toMatchObject({ total: 90, preliminaryLevel: 'intact', scored: 26 })
    assessment.form.scores.stairs = 0
    assessment.form.dementia = true
    expect(assessment.preview.value).toMatchObject({ total: 87, preliminaryLevel: 'mildly_impaired', finalLevel: 'moderately_impaired' })
  })

  it('lists every item not scored and the missing assessor before sending anything', async () => {
    const assessment = useAssessmentForm(() => 'elder-1', now)
    scoreAll(assessment.form, (max) => max)
    assessment.form.scores.memory = null
    assessment.form.scores.vision = null

    expect(await assessment.save()).toBeNull()
    expect(recordAssessment).not.toHaveBeenCalled()
    expect(assessment.problems.value).toEqual(['请填写评估员', '尚有 2 项未评分：记忆、视力'])
  })

  it('sends all 26 items with the adjusters and risk events counted, then starts again', async () => {
    vi.mocked(recordAssessment).mockImplementation(async (draft) => ({ ...draft, id: 'a-1' }) as Assessment)
    const assessment = useAssessmentForm(() => 'elder-1', now)
    scoreAll(assessment.form, (max) => max - 1)
    assessment.form.assessor = ' 李秀英 '
    assessment.form.riskEvents.fall = 2

    expect((await assessment.save())?.id).toBe('a-1')
    const sent = vi.mocked(recordAssessment).mock.calls[0]?.[0]
    expect(Object.keys(sent?.scores ?? {})).toHaveLength(26)
    expect(sent).toMatchObject({
      id: '',
      elder_id: 'elder-1',
      standard: 'gb_t_42195_2022',
      assessed_on: '2026-11-23',
      assessor: '李秀英',
      risk_events: { fall: 2 },
      result: null,
    })
    expect(elderAssessments).toHaveBeenCalledWith({ id: 'elder-1' })
    expect(assessment.unscored.value).toHaveLength(26)
    expect(assessment.form.assessor).toBe(' 李秀英 ')
  })

  it('a refused assessment keeps every score and shows the backend message', async () => {
    vi.mocked(recordAssessment).mockRejectedValue({ code: 'invalid', message: '评估日期不能晚于今天' })
    const assessment = useAssessmentForm(() => 'elder-1', now)
    scoreAll(assessment.form, (max) => max)
    assessment.form.assessor = '李秀英'

    expect(await assessment.save()).toBeNull()
    expect(assessment.error.value?.message).toBe('评估日期不能晚于今天')
    expect(assessment.preview.value.total).toBe(90)
    expect(assessment.form.assessor).toBe('李秀英')
  })
})
