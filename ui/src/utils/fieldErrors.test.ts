import { describe, expect, it } from 'vitest'
import { toAppError } from '@/api/error'
import { fieldErrorsOf, formKey } from './fieldErrors'

describe('fieldErrorsOf', () => {
  it('puts each problem under its field, named as the form names it', () => {
    const error = toAppError({
      code: 'invalid',
      message: '身份证号校验位不正确，请核对；所在村不在本县的区划中',
      problems: [
        { field: 'id_number', rule: 'id_number_check_character', message: '身份证号校验位不正确，请核对' },
        { field: 'village_code', rule: 'place_unknown', message: '所在村不在本县的区划中' },
      ],
    })
    expect(fieldErrorsOf(error)).toEqual({
      idNumber: '身份证号校验位不正确，请核对',
      villageCode: '所在村不在本县的区划中',
    })
  })

  it('joins two problems of one field and keeps nested paths', () => {
    const error = toAppError({
      code: 'invalid',
      message: '',
      problems: [
        { field: 'life.date', message: '日期不能晚于今天' },
        { field: 'life.date', message: '日期不能早于出生日期' },
        { field: 'referrals.0.note', message: '请填写转介事项' },
      ],
    })
    expect(fieldErrorsOf(error)).toEqual({
      'life.date': '日期不能晚于今天；日期不能早于出生日期',
      'referrals.0.note': '请填写转介事项',
    })
  })

  it('is empty without an error, for an error not about fields, and for malformed problems', () => {
    expect(fieldErrorsOf(null)).toEqual({})
    expect(fieldErrorsOf(toAppError({ code: 'not_found', message: '找不到该记录' }))).toEqual({})
    expect(fieldErrorsOf(toAppError({ code: 'invalid', message: 'x', problems: [{ field: 1 }, 'y'] }))).toEqual({})
  })

  it('names fields in camelCase part by part', () => {
    expect(formKey('usual_mode')).toBe('usualMode')
    expect(formKey('items.2.quantity')).toBe('items.2.quantity')
    expect(formKey('documents.owner_consent')).toBe('documents.ownerConsent')
  })
})
