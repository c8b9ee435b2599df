import { createRouter, createWebHashHistory } from 'vue-router'
import Layout from '@/layout/index.vue'
import { useAppStore } from '@/stores/app'
import { adaptationRoutes } from './adaptation'
import { elderRoutes } from './elders'
import { mealRoutes } from './meals'
import { reviewRoutes } from './review'
import { syncRoutes } from './sync'
import { visitRoutes } from './visits'

// Hash history: the app is served by Tauri's custom protocol, which knows nothing of our paths.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/welcome', name: 'welcome', component: () => import('@/views/app/welcome/index.vue') },
    // Home is the due list: the caseworker's day starts with who to visit.
    {
      path: '/',
      component: Layout,
      redirect: '/visits/due',
      children: [...elderRoutes, ...visitRoutes, ...mealRoutes, ...adaptationRoutes, ...reviewRoutes, ...syncRoutes],
    },
  ],
})

// A computer without data can only show the welcome page; one with data skips it.
router.beforeEach(async (to) => {
  const app = useAppStore()
  if (!app.status) await app.load()
  if (!app.status) return true
  if (!app.status.has_data && to.name !== 'welcome') return { name: 'welcome' }
  if (app.status.has_data && to.name === 'welcome') return { name: 'visit-due' }
  return true
})
