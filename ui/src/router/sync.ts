import type { RouteRecordRaw } from 'vue-router'

/** Sync with the county server: the link's status, a sync on demand, and enrolling this computer. */
export const syncRoutes: RouteRecordRaw[] = [
  { path: '/sync', name: 'sync', component: () => import('@/views/sync/index.vue') },
]
