import { onBeforeUnmount, onMounted } from 'vue'

const EVENTS = ['mousemove', 'mousedown', 'keydown', 'wheel', 'touchstart'] as const

/**
 * Calls `onIdle` after `seconds()` without a key, a click or a move on `target` (0: never).
 * Every input starts the wait again; `paused()` (the lock screen showing) keeps it from firing.
 */
export function idleTimer(target: EventTarget, seconds: () => number, paused: () => boolean, onIdle: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined

  function restart() {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    const wait = seconds()
    if (wait > 0 && !paused()) timer = setTimeout(fire, wait * 1000)
  }

  function fire() {
    timer = undefined
    if (!paused()) onIdle()
  }

  function start() {
    for (const event of EVENTS) target.addEventListener(event, restart, { passive: true })
    restart()
  }

  function stop() {
    for (const event of EVENTS) target.removeEventListener(event, restart)
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }

  return { start, stop, restart }
}

/** [`idleTimer`] on the window, for as long as the component using it is mounted. */
export function useIdleLock(seconds: () => number, paused: () => boolean, onIdle: () => void) {
  const timer = idleTimer(window, seconds, paused, onIdle)
  onMounted(timer.start)
  onBeforeUnmount(timer.stop)
  return timer
}
