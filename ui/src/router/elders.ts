import type { RouteRecordRaw } from 'vue-router'

/** The elder registry: the searchable list and one elder's page. */
export const elderRoutes: RouteRecordRaw[] = [
  { path: '/elders', name: 'elders', component: () => import('@/views/elders/list/index.vue') },
  { path: '/elders/:id', name: 'elder', component: () => import('@/views/elders/detail/index.vue'), props: true },
]
