import { describe, expect, it } from 'vitest'
import { idNumberProblem } from './rules'

describe('idNumberProblem', () => {
  it('accepts the published samples, with a lower-case x too', () => {
    expect(idNumberProblem('11010519491231002X')).toBeNull()
    expect(idNumberProblem('11010519491231002x')).toBeNull()
    expect(idNumberProblem('440524188001010014')).toBeNull()
  })

  it('names the wrong check character, length, characters and birth date in Chinese', () => {
    expect(idNumberProblem('110105194912310021')).toBe('身份证号校验位不正确，请核对')
    expect(idNumberProblem('1101051949123100')).toBe('身份证号应为 18 位')
    expect(idNumberProblem('11010519491231A02X')).toBe('身份证号前 17 位应为数字，末位为数字或 X')
    expect(idNumberProblem('110105194902300021')).toBe('身份证号中的出生日期不正确')
  })
})
