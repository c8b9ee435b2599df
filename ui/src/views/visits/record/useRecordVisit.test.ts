import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ElderDetail } from '@/bindings/ElderDetail'
import type { VisitSaved } from '@/bindings/VisitSaved'
import { addAttachment } from '@/api/attachments'
import { getElder } from '@/api/elders'
import { recordVisit } from '@/api/visits'
import { checkAreas, useRecordVisit } from './useRecordVisit'

vi.mock('@/api/elders', () => ({ getElder: vi.fn(), searchElders: vi.fn() }))
vi.mock('@/api/visits', () => ({ recordVisit: vi.fn() }))
vi.mock('@/api/attachments', () => ({ addAttachment: vi.fn() }))

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))
const now = () => new Date(2026, 10, 23, 9, 30, 0)

const photo = (name: string, bytes: number[]) => new File([new Uint8Array(bytes)], name, { type: 'image/png' })
const hashOf = (bytes: number[]) => `sha-${bytes.join('')}`

const routine: VisitSaved = { visit: {} as VisitSaved['visit'], urgent: null, next_due: null }

describe('useRecordVisit', () => {
  beforeEach(() => {
    vi.mocked(getElder).mockReset().mockResolvedValue({ age: 80 } as ElderDetail)
    vi.mocked(recordVisit).mockReset().mockResolvedValue(routine)
    vi.mocked(addAttachment)
      .mockReset()
      .mockImplementation(async (bytes) => ({ sha256: hashOf(Array.from(bytes)), mime: 'image/png', size: bytes.length }))
  })

  it('starts as a routine home visit now with all eight areas 正常, and loads the elder', async () => {
    const visit = useRecordVisit(() => 'elder-1', now)
    await flush()

    expect(getElder).toHaveBeenCalledWith({ id: 'elder-1' })
    expect(visit.detail.value?.age).toBe(80)
    expect(visit.form.mode).toBe('home')
    expect(visit.form.visitedAt).toBe('2026-11-23T09:30:00')
    expect(checkAreas).toHaveLength(8)
    expect(checkAreas.map((area) => visit.form.areas[area].severity)).toEqual(Array(8).fill('normal'))
    expect(visit.draft('elder-1')).toEqual({
      elder_id: 'elder-1',
      visited_at: '2026-11-23T09:30:00',
      mode: 'home',
      findings: Object.fromEntries(checkAreas.map((area) => [area, { severity: 'normal', note: '' }])),
      referrals: [],
      major_event: false,
      notes: '',
      photos: [],
    })
  })

  it('sends referrals only for toggled areas not 正常, with the area note prefilled and notes trimmed', () => {
    const visit = useRecordVisit(() => 'elder-1', now)
    visit.form.areas.health = { ...visit.form.areas.health, severity: 'serious', note: ' 腿脚不便 ' }
    visit.setReferral('health', true)
    visit.form.areas.health.referTo = 'county'
    visit.form.areas.safety = { ...visit.form.areas.safety, severity: 'attention', note: '电线老化' }
    visit.form.areas.needs.refer = true // stays 正常, so it is not referred
    visit.form.notes = '  女儿下周回来  '
    visit.form.mode = 'phone'

    const draft = visit.draft('elder-1')
    expect(draft.findings.health).toEqual({ severity: 'serious', note: '腿脚不便' })
    expect(draft.findings.safety).toEqual({ severity: 'attention', note: '电线老化' })
    expect(draft.referrals).toEqual([{ to_level: 'county', area: 'health', note: '腿脚不便' }])
    expect(draft.notes).toBe('女儿下周回来')
    expect(draft.mode).toBe('phone')
  })

  it('puts every area back to 正常 without notes or referrals with 全部正常', () => {
    const visit = useRecordVisit(() => 'elder-1', now)
    visit.form.areas.mental.severity = 'urgent'
    visit.form.areas.mental.note = '情绪激动'
    visit.setReferral('mental', true)
    visit.allNormal()

    expect(visit.draft('elder-1').findings.mental).toEqual({ severity: 'normal', note: '' })
    expect(visit.draft('elder-1').referrals).toEqual([])
  })

  it('keeps the input and shows the message when the save is refused', async () => {
    vi.mocked(recordVisit).mockRejectedValue({ code: 'invalid', message: '探访时间不能晚于现在' })
    const visit = useRecordVisit(() => 'elder-1', now)
    await flush()
    visit.form.areas.health.severity = 'attention'
    visit.form.areas.health.note = '血压偏高'
    visit.form.notes = '已提醒按时服药'

    expect(await visit.save()).toBeNull()
    expect(visit.error.value?.message).toBe('探访时间不能晚于现在')
    expect(visit.saving.value).toBe(false)
    expect(visit.form.areas.health).toMatchObject({ severity: 'attention', note: '血压偏高' })
    expect(visit.form.notes).toBe('已提醒按时服药')
  })

  it('returns the urgent guidance when the saved visit has an urgent finding', async () => {
    const urgent = {
      emergency_numbers: [['120', '急救'] as [string, string]],
      supporters: [{ name: '张小明', relation: '儿子', phone: '13800000000', is_supporter: true }],
    }
    vi.mocked(recordVisit).mockResolvedValue({ ...routine, urgent })
    const visit = useRecordVisit(() => 'elder-1', now)
    visit.form.areas.health.severity = 'urgent'

    const saved = await visit.save()
    expect(saved?.urgent).toEqual(urgent)
    expect(visit.urgent.value).toEqual(urgent)
    expect(recordVisit).toHaveBeenCalledWith(expect.objectContaining({ elder_id: 'elder-1' }))
  })

  it('sends the hashes of the added photos and leaves out a removed one', async () => {
    const visit = useRecordVisit(() => 'elder-1', now)
    await flush()
    await visit.addPhotos([photo('门口.png', [1, 2]), photo('厨房.png', [3, 4]), photo('院子.png', [5, 6])])
    visit.removePhoto('sha-34')

    expect(addAttachment).toHaveBeenNthCalledWith(1, new Uint8Array([1, 2]))
    expect(visit.photos.value.map((shown) => shown.name)).toEqual(['门口.png', '院子.png'])
    expect(visit.photos.value.every((shown) => shown.preview.startsWith('blob:'))).toBe(true)
    await visit.save()
    expect(recordVisit).toHaveBeenCalledWith(expect.objectContaining({ photos: ['sha-12', 'sha-56'] }))
  })

  it('shows the message of a refused photo and adds nothing for it', async () => {
    vi.mocked(addAttachment).mockRejectedValue({ code: 'invalid', message: '只能添加 JPEG、PNG、WebP 图片或 PDF' })
    const visit = useRecordVisit(() => 'elder-1', now)
    await flush()
    await visit.addPhotos([photo('说明.txt', [7, 8])])

    expect(visit.error.value?.message).toBe('只能添加 JPEG、PNG、WebP 图片或 PDF')
    expect(visit.photos.value).toEqual([])
    expect(visit.addingPhotos.value).toBe(false)
    expect(visit.draft('elder-1').photos).toEqual([])
  })
})
