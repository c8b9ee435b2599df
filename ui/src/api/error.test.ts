import { describe, expect, it } from 'vitest'
import { toAppError } from './error'

describe('toAppError', () => {
  it('keeps the code and Chinese message of a command error', () => {
    expect(toAppError({ code: 'not_found', message: '找不到这位老人' })).toEqual({
      code: 'not_found',
      message: '找不到这位老人',
      problems: [],
    })
  })

  it('turns a plain string rejection into an unknown error with that text', () => {
    expect(toAppError('command search_elders not found')).toEqual({
      code: 'unknown',
      message: 'command search_elders not found',
      problems: [],
    })
  })

  it('keeps each field problem of a refused form, and only well-formed ones', () => {
    const rejection = {
      code: 'invalid',
      message: '请填写姓名',
      problems: [{ field: 'name', rule: 'required', message: '请填写姓名' }, { field: 3 }],
    }
    expect(toAppError(rejection).problems).toEqual([{ field: 'name', message: '请填写姓名' }])
  })

  it('turns an object without code and message into an unknown error', () => {
    expect(toAppError(new Error('boom'))).toEqual({ code: 'unknown', message: 'Error: boom', problems: [] })
  })
})
