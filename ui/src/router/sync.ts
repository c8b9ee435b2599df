import type { RouteRecordRaw } from 'vue-router'

/** Sync with the county server (the link's status, a sync on demand, enrolling this computer), and this PC's backups. */
export const syncRoutes: RouteRecordRaw[] = [
  { path: '/sync', name: 'sync', component: () => import('@/views/sync/index.vue') },
  { path: '/backup', name: 'backup', component: () => import('@/views/backup/index.vue') },
]
