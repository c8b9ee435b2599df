import { describe, expect, it } from 'vitest'
import { plain } from './text'

describe('plain', () => {
  it('makes full-width digits and letters half-width, as a Chinese input method types them', () => {
    expect(plain('３６０７３３１９４６０３１５００１Ｘ')).toBe('36073319460315001X')
    expect(plain('ｘ')).toBe('x')
    expect(plain('１３８－００１３－８０００')).toBe('138-0013-8000')
    expect(plain('１２．５０')).toBe('12.50')
  })

  it('drops the ideographic space and invisible characters, and trims', () => {
    expect(plain('\u3000张建国\u3000')).toBe('张建国')
    expect(plain('3607\u200B33\uFEFF1946\u200D')).toBe('3607331946')
    expect(plain('zjg\u3000')).toBe('zjg')
  })

  it('leaves Chinese characters alone; full-width punctuation becomes ASCII (it is meant for numbers and codes)', () => {
    expect(plain('会昌县白沙村')).toBe('会昌县白沙村')
    expect(plain('（一组）')).toBe('(一组)')
  })
})
