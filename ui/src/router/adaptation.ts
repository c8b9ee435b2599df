import type { RouteRecordRaw } from 'vue-router'

/** Home adaptation (居家适老化改造，一户一档): the township's cases by step, one case file, every township's cases for the county. */
export const adaptationRoutes: RouteRecordRaw[] = [
  { path: '/adaptation/cases', name: 'adaptation-cases', component: () => import('@/views/adaptation/cases/index.vue') },
  {
    path: '/adaptation/cases/:caseId',
    name: 'adaptation-case',
    component: () => import('@/views/adaptation/case/index.vue'),
    props: true,
  },
  { path: '/adaptation/county', name: 'adaptation-county', component: () => import('@/views/adaptation/county/index.vue') },
]
