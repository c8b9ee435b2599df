import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { idleTimer } from './useIdleLock'

describe('the idle lock', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('fires after the idle time, and any key or move starts the wait again', () => {
    const target = new EventTarget()
    const onIdle = vi.fn()
    const timer = idleTimer(target, () => 600, () => false, onIdle)
    timer.start()
    vi.advanceTimersByTime(599_000)
    target.dispatchEvent(new Event('keydown'))
    vi.advanceTimersByTime(599_000)
    target.dispatchEvent(new Event('mousemove'))
    vi.advanceTimersByTime(599_000)
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1_000)
    expect(onIdle).toHaveBeenCalledTimes(1)
    timer.stop()
  })

  it('does not fire while the lock screen shows, with no idle time, or once stopped', () => {
    const target = new EventTarget()
    const onIdle = vi.fn()
    let locked = false
    const timer = idleTimer(target, () => 60, () => locked, onIdle)
    timer.start()
    locked = true
    vi.advanceTimersByTime(60_000)
    const never = idleTimer(target, () => 0, () => false, onIdle)
    never.start()
    vi.advanceTimersByTime(3_600_000)
    const stopped = idleTimer(target, () => 60, () => false, onIdle)
    stopped.start()
    stopped.stop()
    vi.advanceTimersByTime(120_000)
    expect(onIdle).not.toHaveBeenCalled()
  })
})
