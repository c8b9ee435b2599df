import { describe, expect, it } from 'vitest'
import { toAppError } from './error'

describe('toAppError', () => {
  it('keeps the code and Chinese message of a command error', () => {
    expect(toAppError({ code: 'not_found', message: '找不到这位老人' })).toEqual({
      code: 'not_found',
      message: '找不到这位老人',
    })
  })

  it('turns a plain string rejection into an unknown error with that text', () => {
    expect(toAppError('command search_elders not found')).toEqual({
      code: 'unknown',
      message: 'command search_elders not found',
    })
  })

  it('turns an object without code and message into an unknown error', () => {
    expect(toAppError(new Error('boom'))).toEqual({ code: 'unknown', message: 'Error: boom' })
  })
})
