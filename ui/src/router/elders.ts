import type { RouteRecordRaw } from 'vue-router'

/** The elder registry: the searchable list, one elder's page, adding / editing, roster import. */
export const elderRoutes: RouteRecordRaw[] = [
  { path: '/elders', name: 'elders', component: () => import('@/views/elders/list/index.vue') },
  { path: '/elders/new', name: 'elder-new', component: () => import('@/views/elders/edit/index.vue') },
  { path: '/elders/import', name: 'elder-import', component: () => import('@/views/elders/import/index.vue') },
  { path: '/elders/:id/edit', name: 'elder-edit', component: () => import('@/views/elders/edit/index.vue'), props: true },
  { path: '/elders/:id', name: 'elder', component: () => import('@/views/elders/detail/index.vue'), props: true },
]
