// The ability assessment form of GB/T 42195-2022 and a preview of its scoring, so the person sees
// the total and the levels while scoring. The backend scores again on save and keeps its result
// on the record (schema/src/assessment.rs is the rule); this mirrors it for feedback only.
import type { AbilityLevel } from '@/bindings/AbilityLevel'
import type { AssessmentGroup } from '@/bindings/AssessmentGroup'
import type { AssessmentItem } from '@/bindings/AssessmentItem'
import type { RiskEvent } from '@/bindings/RiskEvent'
import { enumLabel, i18n } from '@/locales'

/** The four groups (一级指标) in the order of the form. */
export const assessmentGroups: AssessmentGroup[] = ['self_care', 'basic_motor', 'mental_state', 'perception_and_social']

/** The 26 items (二级指标) in the order of the form, with their group and highest score (the lowest is 0). */
export const assessmentItems: { item: AssessmentItem; group: AssessmentGroup; max: number }[] = [
  { item: 'eating', group: 'self_care', max: 4 },
  { item: 'grooming', group: 'self_care', max: 4 },
  { item: 'bathing', group: 'self_care', max: 4 },
  { item: 'dressing_upper', group: 'self_care', max: 4 },
  { item: 'dressing_lower', group: 'self_care', max: 4 },
  { item: 'urine_control', group: 'self_care', max: 4 },
  { item: 'bowel_control', group: 'self_care', max: 4 },
  { item: 'toileting', group: 'self_care', max: 4 },
  { item: 'bed_position_transfer', group: 'basic_motor', max: 4 },
  { item: 'bed_chair_transfer', group: 'basic_motor', max: 4 },
  { item: 'walking_on_level', group: 'basic_motor', max: 4 },
  { item: 'stairs', group: 'basic_motor', max: 3 },
  { item: 'time_orientation', group: 'mental_state', max: 4 },
  { item: 'space_orientation', group: 'mental_state', max: 4 },
  { item: 'person_orientation', group: 'mental_state', max: 4 },
  { item: 'memory', group: 'mental_state', max: 4 },
  { item: 'comprehension', group: 'mental_state', max: 4 },
  { item: 'expression', group: 'mental_state', max: 4 },
  { item: 'aggressive_behaviour', group: 'mental_state', max: 1 },
  { item: 'depressive_symptoms', group: 'mental_state', max: 1 },
  { item: 'consciousness', group: 'mental_state', max: 2 },
  { item: 'vision', group: 'perception_and_social', max: 2 },
  { item: 'hearing', group: 'perception_and_social', max: 2 },
  { item: 'daily_affairs', group: 'perception_and_social', max: 4 },
  { item: 'using_transport', group: 'perception_and_social', max: 3 },
  { item: 'social_interaction', group: 'perception_and_social', max: 4 },
]

/** Care-risk events (照护风险事件) counted over the 30 days before the assessment. */
export const riskEvents: RiskEvent[] = ['fall', 'choking', 'suicide', 'self_harm', 'wandering']

/** The five levels from most to least able; a level's index is its number on the form (0–4). */
export const abilityLevels: AbilityLevel[] = [
  'intact',
  'mildly_impaired',
  'moderately_impaired',
  'severely_impaired',
  'completely_lost',
]

/** The highest subtotal of a group: 32, 15, 28 and 15, making 90. */
export const groupMax = (group: AssessmentGroup) =>
  assessmentItems.filter((entry) => entry.group === group).reduce((sum, entry) => sum + entry.max, 0)

/** The preliminary level (初步等级) of a total: 90 能力完好, 66–89 轻度, 46–65 中度, 30–45 重度, 0–29 完全丧失. */
export function levelOfTotal(total: number): AbilityLevel {
  if (total >= 90) return 'intact'
  if (total >= 66) return 'mildly_impaired'
  if (total >= 46) return 'moderately_impaired'
  if (total >= 30) return 'severely_impaired'
  return 'completely_lost'
}

/** What is scored so far: item → score, an item not yet scored absent or null. */
export type ScoreSheet = Partial<Record<AssessmentItem, number | null>>

/** The facts besides the items that change the final level. */
export interface LevelAdjusters {
  coma: boolean
  dementia: boolean
  mentalDisorder: boolean
  riskEvents: Partial<Record<RiskEvent, number | null>>
}

/** What the preview shows: subtotals, total, both levels, why they differ, and how many items are scored. */
export interface ScorePreview {
  subtotals: Record<AssessmentGroup, number>
  total: number
  preliminaryLevel: AbilityLevel
  finalLevel: AbilityLevel
  adjustments: string[]
  scored: number
}

/**
 * Scores like the backend: an item not yet scored counts 0 and a score over its item's maximum
 * counts as the maximum; coma gives 完全丧失 directly; a diagnosis (痴呆 or another mental
 * disorder, one clause) raises one level; 2+ risk events in 30 days raise one level; the two
 * raises stack, never past 完全丧失.
 */
export function previewScore(scores: ScoreSheet, adjusters: LevelAdjusters): ScorePreview {
  const subtotals = Object.fromEntries(assessmentGroups.map((group) => [group, 0])) as Record<AssessmentGroup, number>
  let scored = 0
  for (const { item, group, max } of assessmentItems) {
    const score = scores[item]
    if (score === null || score === undefined) continue
    scored += 1
    subtotals[group] += Math.min(Math.max(score, 0), max)
  }
  const total = assessmentGroups.reduce((sum, group) => sum + subtotals[group], 0)
  const preliminaryLevel = levelOfTotal(total)
  const { finalLevel, adjustments } = adjust(preliminaryLevel, adjusters)
  return { subtotals, total, preliminaryLevel, finalLevel, adjustments, scored }
}

/** A level as the form writes it, e.g. "1 轻度受损". */
export const levelText = (level: AbilityLevel) => `${abilityLevels.indexOf(level)} ${enumLabel('ability_level', level)}`

function adjust(preliminary: AbilityLevel, adjusters: LevelAdjusters): { finalLevel: AbilityLevel; adjustments: string[] } {
  const t = i18n.global.t
  if (adjusters.coma) return { finalLevel: 'completely_lost', adjustments: [t('adaptation.assessment.adjust.coma')] }
  let level = preliminary
  const adjustments: string[] = []
  const raise = (cause: string) => {
    const index = abilityLevels.indexOf(level)
    const raised = abilityLevels[index + 1]
    if (raised === undefined) {
      adjustments.push(t('adaptation.assessment.adjust.atMost', { cause }))
      return
    }
    level = raised
    adjustments.push(t('adaptation.assessment.adjust.raised', { cause }))
  }
  const diagnosis =
    adjusters.dementia && adjusters.mentalDisorder
      ? 'both'
      : adjusters.dementia
        ? 'dementia'
        : adjusters.mentalDisorder
          ? 'mentalDisorder'
          : null
  if (diagnosis) raise(t(`adaptation.assessment.adjust.${diagnosis}`))
  const counted = riskEvents
    .map((event) => [event, Math.max(adjusters.riskEvents[event] ?? 0, 0)] as const)
    .filter(([, count]) => count > 0)
  const count = counted.reduce((sum, [, times]) => sum + times, 0)
  if (count >= 2) {
    const kinds = counted
      .map(([event, times]) => t('adaptation.assessment.adjust.eventKind', { event: enumLabel('risk_event', event), count: times }))
      .join('、')
    raise(t('adaptation.assessment.adjust.riskEvents', { count, kinds }))
  }
  return { finalLevel: level, adjustments }
}
