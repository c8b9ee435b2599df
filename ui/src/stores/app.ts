import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { AppStatus } from '@/bindings/AppStatus'
import type { Role } from '@/bindings/Role'
import type { SessionStatus } from '@/bindings/SessionStatus'
import { appStatus } from '@/api/app'
import { sessionStatus } from '@/api/session'
import { toAppError, type AppError } from '@/api/error'
import { markStartup } from '@/utils/startup'

/**
 * Where this PC stands (its session: fresh, upgrading, signed out, signed in) and, once someone
 * is signed in, what it holds. `locked` is the idle lock: the backend has forgotten who is signed
 * in, but the page and its unsaved form stay under the sign-in.
 */
export const useAppStore = defineStore('app', () => {
  const session = ref<SessionStatus | null>(null)
  const status = ref<AppStatus | null>(null)
  const error = ref<AppError | null>(null)
  const locked = ref(false)
  /** Why the lock came: the idle time (seconds) or a click on 锁定 (null). */
  const lockedIdleSeconds = ref<number | null>(null)

  const role = computed<Role | null>(() => session.value?.user?.role ?? null)

  async function load() {
    error.value = null
    try {
      session.value = await sessionStatus()
      status.value = session.value.stage === 'signed_in' ? await appStatus() : null
      markStartup('status')
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
  }

  function setStatus(next: AppStatus) {
    status.value = next
  }

  function setSession(next: SessionStatus) {
    session.value = next
  }

  function lock(idleSeconds: number | null) {
    locked.value = true
    lockedIdleSeconds.value = idleSeconds
  }

  function unlock() {
    locked.value = false
  }

  return { session, status, error, locked, lockedIdleSeconds, role, load, setStatus, setSession, lock, unlock }
})
