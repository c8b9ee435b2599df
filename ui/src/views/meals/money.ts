// Money travels in 分 (integers); people read and type 元 with two decimals.
import { plain } from '@/utils/text'

/** 分 as 元 with two decimals and thousands separators: 123456 is "1,234.56", -50 is "-0.50". */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const whole = Math.floor(Math.abs(fen) / 100)
  const cents = String(Math.abs(fen) % 100).padStart(2, '0')
  return `${sign}${whole.toLocaleString('en-US')}.${cents}`
}

/**
 * What a person typed in 元 as 分: "12", "12.5", "12.50", "-3" and "1,200.00" are read, also typed
 * full-width ("１２．５"), with ¥ or 元; anything else, or more than two decimals, is null.
 * Rounding is never silent: 12.345 is refused, not 1235.
 */
export function fenFromYuan(text: string): number | null {
  const cleaned = plain(text).replace(/,/g, '').replace(/^[¥￥]/, '').replace(/元$/, '').trim()
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(cleaned)
  if (!match) return null
  const [, minus, whole = '0', decimals = ''] = match
  const fen = Number(whole) * 100 + Number(decimals.padEnd(2, '0'))
  return minus ? -fen : fen
}
