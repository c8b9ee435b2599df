import type { RouteRecordRaw } from 'vue-router'

/** The county reviewer's reconciliation: conflicting edits from two computers, and the checks across stations. */
export const reviewRoutes: RouteRecordRaw[] = [
  { path: '/review/anomalies', name: 'review-anomalies', component: () => import('@/views/review/anomalies/index.vue') },
  { path: '/review/conflicts', name: 'review-conflicts', component: () => import('@/views/review/conflicts/index.vue') },
]
