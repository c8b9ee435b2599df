import type { RouteRecordRaw } from 'vue-router'

/** The county reviewer's reconciliation: conflicting edits from two computers. */
export const reviewRoutes: RouteRecordRaw[] = [
  { path: '/review/conflicts', name: 'review-conflicts', component: () => import('@/views/review/conflicts/index.vue') },
]
