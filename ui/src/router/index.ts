import { createRouter, createWebHashHistory } from 'vue-router'
import Layout from '@/layout/index.vue'
import { useAppStore } from '@/stores/app'
import { adaptationRoutes } from './adaptation'
import { elderRoutes } from './elders'
import { mealRoutes } from './meals'
import { reviewRoutes } from './review'
import { syncRoutes } from './sync'
import { visitRoutes } from './visits'
import { routeFor } from './guard'

// Hash history: the app is served by Tauri's custom protocol, which knows nothing of our paths.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/welcome', name: 'welcome', component: () => import('@/views/app/welcome/index.vue') },
    { path: '/signin', name: 'signin', component: () => import('@/views/app/signin/index.vue') },
    { path: '/upgrade', name: 'upgrade', component: () => import('@/views/app/upgrade/index.vue') },
    // Home is the due list: the caseworker's day starts with who to visit.
    {
      path: '/',
      component: Layout,
      redirect: '/visits/due',
      children: [...elderRoutes, ...visitRoutes, ...mealRoutes, ...adaptationRoutes, ...reviewRoutes, ...syncRoutes],
    },
  ],
})

// A fresh computer shows the welcome page, one of an earlier version the upgrade, one with
// nobody signed in the sign-in page; a signed-in person sees only their role's pages.
router.beforeEach(async (to) => {
  const app = useAppStore()
  if (!app.session) await app.load()
  if (!app.session) return true
  return routeFor(app.session, app.status?.has_data ?? false, to)
})
