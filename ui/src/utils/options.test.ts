import { describe, expect, it } from 'vitest'
import { withCurrent } from './options'

describe('withCurrent', () => {
  it("offers this build's choices when the record's value is one of them", () => {
    expect(withCurrent(['none', 'dibao'], 'dibao')).toEqual(['none', 'dibao'])
  })

  it("adds the record's value a newer app wrote, so the form can show and keep it", () => {
    expect(withCurrent(['none', 'dibao'], 'unknown')).toEqual(['none', 'dibao', 'unknown'])
  })

  it('adds nothing for a new record', () => {
    expect(withCurrent(['none', 'dibao'], null)).toEqual(['none', 'dibao'])
  })
})
