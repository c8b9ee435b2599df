import type { RouteRecordRaw } from 'vue-router'
// The home page is part of the first chunk, so a start waits for no second file.
import DueList from '@/views/visits/due/index.vue'

/** Patrol visits: who is due, recording a visit, monthly coverage, following up referrals. */
export const visitRoutes: RouteRecordRaw[] = [
  { path: '/visits/due', name: 'visit-due', component: DueList },
  {
    // Without an elder the page first asks whom the visit was to.
    path: '/visits/record/:elderId?',
    name: 'visit-record',
    component: () => import('@/views/visits/record/index.vue'),
    props: true,
  },
  { path: '/visits/coverage', name: 'visit-coverage', component: () => import('@/views/visits/coverage/index.vue') },
  {
    path: '/visits/referrals',
    name: 'visit-referrals',
    component: () => import('@/views/visits/referrals/index.vue'),
  },
]
