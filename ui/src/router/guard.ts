import type { Role } from '@/bindings/Role'
import type { SessionStatus } from '@/bindings/SessionStatus'

/** Pages of the county's review (and the county's view of adaptation): the reviewer's only. */
export const countyOnly = (path: string) => path.startsWith('/review') || path.startsWith('/adaptation/county')

/** Pages of the township station: its director's and the county reviewer's. */
export const stationOnly = (path: string) => path.startsWith('/meals') || path.startsWith('/adaptation')

/** Whether `role` may open `path` (the backend checks again; this only keeps menus honest). */
export function mayOpen(role: Role | null, path: string): boolean {
  if (countyOnly(path)) return role === 'county_reviewer'
  if (stationOnly(path)) return role === 'county_reviewer' || role === 'station_director'
  return true
}

/** Where a navigation to `to` goes, given the session: the page for the PC's stage first. */
export function routeFor(
  session: SessionStatus,
  hasData: boolean,
  to: { name?: unknown; path: string },
): true | { name: string } {
  const stagePage = { fresh: 'welcome', upgrade: 'upgrade', signed_out: 'signin', signed_in: null }[session.stage]
  if (stagePage) return to.name === stagePage ? true : { name: stagePage }
  if (!hasData) return to.name === 'welcome' ? true : { name: 'welcome' }
  if (to.name === 'welcome' || to.name === 'signin' || to.name === 'upgrade') return { name: 'visit-due' }
  if (!mayOpen(session.user?.role ?? null, to.path)) return { name: 'visit-due' }
  return true
}
