import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import type { ElderDetail } from '@/bindings/ElderDetail'
import { getElder } from '@/api/elders'
import { useElderDetail } from './useElderDetail'

vi.mock('@/api/elders', () => ({ getElder: vi.fn() }))

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('useElderDetail', () => {
  beforeEach(() => {
    vi.mocked(getElder).mockReset()
  })

  it('loads the elder with the given id and again when the id changes', async () => {
    vi.mocked(getElder).mockImplementation(async ({ id }) => ({ age: id === 'a' ? 80 : 90 }) as ElderDetail)
    const id = ref('a')
    const { detail, loading } = useElderDetail(() => id.value)
    expect(loading.value).toBe(true)
    await flush()
    expect(detail.value?.age).toBe(80)

    id.value = 'b'
    await nextTick()
    await flush()
    expect(getElder).toHaveBeenLastCalledWith({ id: 'b' })
    expect(detail.value?.age).toBe(90)
  })

  it('exposes the backend message when the elder cannot be loaded', async () => {
    vi.mocked(getElder).mockRejectedValue({ code: 'not_found', message: '找不到这位老人' })
    const { detail, loading, error } = useElderDetail(() => 'missing')
    await flush()

    expect(error.value?.message).toBe('找不到这位老人')
    expect(detail.value).toBeNull()
    expect(loading.value).toBe(false)
  })
})
