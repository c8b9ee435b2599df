import { createI18n } from 'vue-i18n'
import type { LifeStatus } from '@/bindings/LifeStatus'
import zhCN from './zh-CN'
import registryZhCN from './registry.zh-CN'
import mealsZhCN from './meals.zh-CN'
import adaptationZhCN from './adaptation.zh-CN'
import reviewZhCN from './review.zh-CN'
import accessZhCN from './access.zh-CN'
import fleetZhCN from './fleet.zh-CN'
import sessionZhCN from './session.zh-CN'
import backupZhCN from './backup.zh-CN'
import updateZhCN from './update.zh-CN'

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  messages: { 'zh-CN': { ...zhCN, ...registryZhCN, ...mealsZhCN, ...adaptationZhCN, ...reviewZhCN, ...accessZhCN, ...fleetZhCN, ...sessionZhCN, ...backupZhCN, ...updateZhCN } },
})

type EnumTables = (typeof zhCN)['enum']

/** The Chinese label of one enum value, e.g. `enumLabel('category', 'living_alone')` is 独居. */
export function enumLabel<Kind extends keyof EnumTables>(kind: Kind, value: keyof EnumTables[Kind]): string {
  return i18n.global.t(`enum.${kind}.${String(value)}`)
}

/** 在册, or 迁出 / 已故 followed by the date when it is known. */
export function lifeLabel(life: LifeStatus): string {
  const state = enumLabel('life_state', life.state)
  return life.state !== 'active' && life.date ? `${state} ${life.date}` : state
}
