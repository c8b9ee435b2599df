import { describe, expect, it } from 'vitest'
import { fenFromYuan, yuan } from './money'

describe('yuan', () => {
  it('shows 分 as 元 with two decimals and thousands separators', () => {
    expect(yuan(0)).toBe('0.00')
    expect(yuan(5)).toBe('0.05')
    expect(yuan(800)).toBe('8.00')
    expect(yuan(123456)).toBe('1,234.56')
    expect(yuan(-50)).toBe('-0.50')
    expect(yuan(-123400)).toBe('-1,234.00')
  })
})

describe('fenFromYuan', () => {
  it('reads what a person types in 元', () => {
    expect(fenFromYuan('12')).toBe(1200)
    expect(fenFromYuan('12.5')).toBe(1250)
    expect(fenFromYuan(' 12.05 ')).toBe(1205)
    expect(fenFromYuan('1,200.00')).toBe(120000)
    expect(fenFromYuan('3元')).toBe(300)
    expect(fenFromYuan('-3.2')).toBe(-320)
    expect(fenFromYuan('0')).toBe(0)
  })

  it('reads an amount typed full-width with a Chinese input method', () => {
    expect(fenFromYuan('１２．５')).toBe(1250)
    expect(fenFromYuan('\u3000８元')).toBe(800)
    expect(fenFromYuan('￥3')).toBe(300)
    expect(fenFromYuan('－３')).toBe(-300)
  })

  it('refuses what is not an amount, and more than two decimals rather than rounding', () => {
    expect(fenFromYuan('')).toBeNull()
    expect(fenFromYuan('十二')).toBeNull()
    expect(fenFromYuan('12.345')).toBeNull()
    expect(fenFromYuan('1.2.3')).toBeNull()
    expect(fenFromYuan('.5')).toBeNull()
  })

  it('reads back what yuan shows', () => {
    for (const fen of [0, 7, 1200, 98765, -450]) expect(fenFromYuan(yuan(fen))).toBe(fen)
  })
})
