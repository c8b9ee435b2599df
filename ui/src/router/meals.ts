import type { RouteRecordRaw } from 'vue-router'

/** Meal service (老年助餐): the day's roster, the township's points and their diners, the monthly settlement. */
export const mealRoutes: RouteRecordRaw[] = [
  { path: '/meals/roster', name: 'meal-roster', component: () => import('@/views/meals/roster/index.vue') },
  { path: '/meals/points', name: 'meal-points', component: () => import('@/views/meals/points/index.vue') },
  {
    path: '/meals/settlement',
    name: 'meal-settlement',
    component: () => import('@/views/meals/settlement/index.vue'),
  },
]
