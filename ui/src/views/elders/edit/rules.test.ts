import { afterEach, describe, expect, it, vi } from 'vitest'
import { clock } from '@/utils/clock'
import { idNumberProblem } from './rules'

describe('idNumberProblem', () => {
  it('accepts the published samples, with a lower-case x too', () => {
    expect(idNumberProblem('11010519491231002X')).toBeNull()
    expect(idNumberProblem('11010519491231002x')).toBeNull()
    expect(idNumberProblem('440524188001010014')).toBeNull()
  })

  it('names the wrong check character, length, characters and birth date in Chinese', () => {
    expect(idNumberProblem('110105194912310021')).toBe('身份证号校验位不正确，请核对')
    expect(idNumberProblem('1101051949123100')).toBe('身份证号应为 18 位，现为 16 位')
    expect(idNumberProblem('11010519491231A02X')).toBe('身份证号前 17 位应为数字，末位为数字或 X')
    expect(idNumberProblem('110105194902300021')).toBe('身份证号中的出生日期不存在')
  })

  it('reads a number typed full-width, with an ideographic space or a zero-width character in it', () => {
    expect(idNumberProblem('１１０１０５１９４９１２３１００２Ｘ')).toBeNull()
    expect(idNumberProblem('１１０１０５１９４９１２３１００２ｘ')).toBeNull()
    expect(idNumberProblem('\u300011010519491231002X\u3000')).toBeNull()
    expect(idNumberProblem('110105\u200B19491231002X')).toBeNull()
  })

  it('says a birth year before 1880 is too early, not that the date does not exist', () => {
    expect(idNumberProblem('110105187901010018')).toBe('身份证号中的出生年份 1879 早于最早接受的 1880 年，请核对')
  })

  describe('on a given day', () => {
    afterEach(() => vi.restoreAllMocks())

    it('refuses a birth date after today, by the one clock', () => {
      vi.spyOn(clock, 'now').mockReturnValue(new Date(2026, 11, 6, 10, 0, 0))
      expect(idNumberProblem('110105202612070017')).toBe('身份证号中的出生日期晚于今天')
      expect(idNumberProblem('110105202612060011')).toBeNull()
    })
  })
})
