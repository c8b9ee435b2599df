import type { FormItemRule, FormRules } from 'element-plus'
import { i18n } from '@/locales'
import { clock } from '@/utils/clock'
import { plain } from '@/utils/text'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CHARACTERS = '10X98765432'
/** The earliest birth year an ID number may carry, as the backend checks it. */
const EARLIEST_BIRTH_YEAR = 1880

/** The ISO 7064 MOD 11-2 check character of an ID number's first 17 digits. */
export function checkCharacter(first17: string): string {
  const sum = [...first17].reduce((total, digit, index) => total + Number(digit) * (WEIGHTS[index] ?? 0), 0)
  return CHECK_CHARACTERS.charAt(sum % 11)
}

/**
 * A quick hint while typing an 18-character ID number (GB 11643): the Chinese problem, or null
 * when it looks valid. The backend checks again and is the authority (it also takes 15 digits).
 */
export function idNumberProblem(input: string): string | null {
  const t = i18n.global.t
  const number = plain(input).toUpperCase()
  if (number.length !== 18) return t('registry.form.idNumberLength', { length: number.length })
  if (!/^\d{17}[\dX]$/.test(number)) return t('registry.form.idNumberCharacters')
  const [year, month, day] = [Number(number.slice(6, 10)), Number(number.slice(10, 12)), Number(number.slice(12, 14))]
  const birth = new Date(year, month - 1, day)
  const realDate = birth.getFullYear() === year && birth.getMonth() === month - 1 && birth.getDate() === day
  if (!realDate) return t('registry.form.idNumberBirthDate')
  if (year < EARLIEST_BIRTH_YEAR) return t('registry.form.idNumberBirthTooEarly', { year, earliest: EARLIEST_BIRTH_YEAR })
  if (birth > clock.now()) return t('registry.form.idNumberFutureBirth')
  if (checkCharacter(number.slice(0, 17)) !== number[17]) return t('registry.form.idNumberCheck')
  return null
}

const required = (field: string): FormItemRule => ({
  required: true,
  whitespace: true,
  message: () => i18n.global.t('registry.form.required', { field: i18n.global.t(`registry.form.${field}`) }),
  trigger: 'blur',
})

const idNumberRule: FormItemRule = {
  trigger: ['blur', 'change'],
  validator: (_rule, value: string, callback) => {
    const problem = value ? idNumberProblem(value) : null
    callback(problem ? new Error(problem) : undefined)
  },
}

/** The add / edit form's rules; the names are the form model's keys. */
export const elderRules: FormRules = {
  name: [required('name')],
  idNumber: [required('idNumber'), idNumberRule],
  villageCode: [{ ...required('village'), trigger: 'change' }],
}
