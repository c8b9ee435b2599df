/**
 * Milestones of the app's start, as User Timing marks (`performance.mark`): the end-to-end start
 * measurement reads them to say where the time between launch and the first page goes. They
 * cost nothing that shows; only the first of each name is kept.
 */
export type StartupMilestone = 'script' | 'status' | 'home-rendered'

export function markStartup(milestone: StartupMilestone) {
  const name = `xianglin:${milestone}`
  if (typeof performance === 'undefined' || performance.getEntriesByName(name).length > 0) return
  performance.mark(name)
}
