import type { RouteRecordRaw } from 'vue-router'

/** The county reviewer's queue of approvals, and reconciliation: conflicting edits from two computers, elders registered twice, the checks across stations, the export to the city's platform, the dashboards (统计报表), who viewed whose data (查阅记录), and the county's devices (设备状况). */
export const reviewRoutes: RouteRecordRaw[] = [
  { path: '/review/approvals', name: 'review-approvals', component: () => import('@/views/review/approvals/index.vue') },
  { path: '/review/export', name: 'review-export', component: () => import('@/views/review/export/index.vue') },
  { path: '/review/anomalies', name: 'review-anomalies', component: () => import('@/views/review/anomalies/index.vue') },
  { path: '/review/conflicts', name: 'review-conflicts', component: () => import('@/views/review/conflicts/index.vue') },
  { path: '/review/duplicates', name: 'review-duplicates', component: () => import('@/views/review/duplicates/index.vue') },
  { path: '/review/dashboards', name: 'review-dashboards', component: () => import('@/views/review/dashboards/index.vue') },
  { path: '/review/access', name: 'review-access', component: () => import('@/views/review/access/index.vue') },
  { path: '/review/devices', name: 'review-devices', component: () => import('@/views/review/devices/index.vue') },
]
