import { describe, expect, it } from 'vitest'
import type { AssessmentItem } from '@/bindings/AssessmentItem'
import {
  assessmentGroups,
  assessmentItems,
  groupMax,
  levelOfTotal,
  levelText,
  previewScore,
  type LevelAdjusters,
  type ScoreSheet,
} from './assessmentScoring'

const none: LevelAdjusters = { coma: false, dementia: false, mentalDisorder: false, riskEvents: {} }

/** Items at their maximum in form order until `total` is reached, one item with the rest, the others 0. */
function scoresTotalling(total: number): ScoreSheet {
  let left = total
  return Object.fromEntries(
    assessmentItems.map(({ item, max }) => {
      const score = Math.min(left, max)
      left -= score
      return [item, score]
    }),
  )
}

/** The standard's hand-scored example of a mildly impaired elder: 27 + 11 + 24 + 10 = 72. */
const mildlyImpaired: Record<AssessmentItem, number> = {
  eating: 4,
  grooming: 4,
  bathing: 2,
  dressing_upper: 4,
  dressing_lower: 3,
  urine_control: 3,
  bowel_control: 4,
  toileting: 3,
  bed_position_transfer: 4,
  bed_chair_transfer: 3,
  walking_on_level: 3,
  stairs: 1,
  time_orientation: 3,
  space_orientation: 4,
  person_orientation: 4,
  memory: 2,
  comprehension: 4,
  expression: 4,
  aggressive_behaviour: 1,
  depressive_symptoms: 0,
  consciousness: 2,
  vision: 1,
  hearing: 1,
  daily_affairs: 3,
  using_transport: 2,
  social_interaction: 3,
}

describe('the assessment form', () => {
  it('has the 26 items in four groups of 32, 15, 28 and 15 points, 90 in all', () => {
    expect(assessmentItems).toHaveLength(26)
    expect(assessmentGroups.map((group) => assessmentItems.filter((entry) => entry.group === group).length)).toEqual([8, 4, 9, 5])
    expect(assessmentGroups.map(groupMax)).toEqual([32, 15, 28, 15])
  })
})

describe('previewScore', () => {
  it('gives the hand-checked subtotals, total and level of a mildly impaired elder', () => {
    const preview = previewScore(mildlyImpaired, none)
    expect(assessmentGroups.map((group) => preview.subtotals[group])).toEqual([27, 11, 24, 10])
    expect(preview.total).toBe(72)
    expect([preview.preliminaryLevel, preview.finalLevel]).toEqual(['mildly_impaired', 'mildly_impaired'])
    expect(preview.scored).toBe(26)
    expect(levelText(preview.finalLevel)).toBe('1 轻度受损')
  })

  it('changes the preliminary level exactly at the band boundaries 90 / 66–89 / 46–65 / 30–45 / 0–29', () => {
    const bands: [number, string][] = [
      [90, 'intact'],
      [89, 'mildly_impaired'],
      [66, 'mildly_impaired'],
      [65, 'moderately_impaired'],
      [46, 'moderately_impaired'],
      [45, 'severely_impaired'],
      [30, 'severely_impaired'],
      [29, 'completely_lost'],
      [0, 'completely_lost'],
    ]
    for (const [total, level] of bands) {
      const preview = previewScore(scoresTotalling(total), none)
      expect(preview.total).toBe(total)
      expect(preview.preliminaryLevel).toBe(level)
      expect(levelOfTotal(total)).toBe(level)
    }
  })

  it('counts an item not yet scored as 0 and a score over its maximum as the maximum', () => {
    const scores: ScoreSheet = { ...mildlyImpaired, eating: null, stairs: 9 }
    const preview = previewScore(scores, none)
    expect(preview.scored).toBe(25)
    expect(preview.subtotals.self_care).toBe(23)
    expect(preview.subtotals.basic_motor).toBe(13)
  })

  it('rates a coma 完全丧失 whatever the scores', () => {
    const preview = previewScore(scoresTotalling(90), { ...none, coma: true, dementia: true })
    expect(preview.preliminaryLevel).toBe('intact')
    expect(preview.finalLevel).toBe('completely_lost')
    expect(preview.adjustments).toEqual(['昏迷，直接评定为完全丧失'])
  })

  it('raises one level for dementia or another mental disorder, both together being one clause', () => {
    expect(previewScore(mildlyImpaired, { ...none, dementia: true })).toMatchObject({
      finalLevel: 'moderately_impaired',
      adjustments: ['诊断痴呆，提高一级'],
    })
    expect(previewScore(mildlyImpaired, { ...none, dementia: true, mentalDisorder: true })).toMatchObject({
      finalLevel: 'moderately_impaired',
      adjustments: ['诊断痴呆及其他精神和行为障碍，提高一级'],
    })
  })

  it('raises one level for two risk events of any kinds in 30 days, not for one', () => {
    expect(previewScore(mildlyImpaired, { ...none, riskEvents: { fall: 1 } }).finalLevel).toBe('mildly_impaired')
    expect(previewScore(mildlyImpaired, { ...none, riskEvents: { fall: 1, choking: 0, wandering: 1 } })).toMatchObject({
      finalLevel: 'moderately_impaired',
      adjustments: ['近30天发生照护风险事件2次（跌倒1次、走失1次），提高一级'],
    })
  })

  it('stacks the two raises, and stops at 完全丧失', () => {
    const both = { ...none, dementia: true, riskEvents: { choking: 2 } }
    expect(previewScore(mildlyImpaired, both).finalLevel).toBe('severely_impaired')
    const severe = previewScore(scoresTotalling(40), { ...none, dementia: true, riskEvents: { fall: 3 } })
    expect(severe.preliminaryLevel).toBe('severely_impaired')
    expect(severe.finalLevel).toBe('completely_lost')
    expect(severe.adjustments).toEqual(['诊断痴呆，提高一级', '近30天发生照护风险事件3次（跌倒3次），已为完全丧失，不再提高'])
  })
})
