import { describe, expect, it } from 'vitest'
import type { SessionStatus } from '@/bindings/SessionStatus'
import { mayOpen, routeFor } from './guard'

const session = (stage: SessionStatus['stage'], role: 'caseworker' | 'station_director' | 'county_reviewer' = 'caseworker'): SessionStatus => ({
  stage,
  accounts: [],
  user: stage === 'signed_in' ? { id: 'u1', name: '谢丽华', role, places: '' } : null,
  upgrade_user: null,
  demo: false,
  min_password_length: 8,
  idle_lock_seconds: 600,
})

describe('the router guard', () => {
  it('sends each stage of a PC to its page', () => {
    expect(routeFor(session('fresh'), false, { path: '/visits/due', name: 'visit-due' })).toEqual({ name: 'welcome' })
    expect(routeFor(session('upgrade'), false, { path: '/elders', name: 'elders' })).toEqual({ name: 'upgrade' })
    expect(routeFor(session('signed_out'), false, { path: '/elders', name: 'elders' })).toEqual({ name: 'signin' })
    expect(routeFor(session('signed_out'), false, { path: '/signin', name: 'signin' })).toBe(true)
    expect(routeFor(session('signed_in'), true, { path: '/signin', name: 'signin' })).toEqual({ name: 'visit-due' })
  })

  it('keeps the county’s pages to the reviewer and the station’s to its director and the reviewer', () => {
    expect(mayOpen('station_director', '/review/conflicts')).toBe(false)
    expect(mayOpen('station_director', '/adaptation/county')).toBe(false)
    expect(mayOpen('station_director', '/meals/roster')).toBe(true)
    expect(mayOpen('caseworker', '/meals/roster')).toBe(false)
    expect(mayOpen('caseworker', '/visits/record')).toBe(true)
    expect(mayOpen('county_reviewer', '/review/access')).toBe(true)
    expect(routeFor(session('signed_in', 'station_director'), true, { path: '/review/access', name: 'review-access' })).toEqual({
      name: 'visit-due',
    })
  })
})
