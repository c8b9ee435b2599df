import { getCurrentScope, onScopeDispose, reactive, ref, watch } from 'vue'
import type { CheckArea } from '@/bindings/CheckArea'
import type { ElderDetail } from '@/bindings/ElderDetail'
import type { ElderRow } from '@/bindings/ElderRow'
import type { ReferralLevel } from '@/bindings/ReferralLevel'
import type { Severity } from '@/bindings/Severity'
import type { UrgentGuidance } from '@/bindings/UrgentGuidance'
import type { VisitDraft } from '@/bindings/VisitDraft'
import type { VisitMode } from '@/bindings/VisitMode'
import type { VisitSaved } from '@/bindings/VisitSaved'
import { addAttachment } from '@/api/attachments'
import { getElder, searchElders } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { recordVisit } from '@/api/visits'
import { localDateTime } from '@/utils/time'
import { clock } from '@/utils/clock'

/** Every area a visitor checks, in the order the form shows them. */
export const checkAreas: CheckArea[] = ['health', 'mental', 'economic', 'support', 'safety', 'hygiene', 'living', 'needs']

export interface AreaForm {
  severity: Severity
  note: string
  /** Refer this area onward; only sent while the area is not 正常. */
  refer: boolean
  referTo: ReferralLevel
  referNote: string
}

/** A photo already stored by the backend, with a local preview of the picked file. */
export interface PhotoForm {
  sha256: string
  name: string
  /** An object URL of the picked file, revoked when the photo is removed or the form starts again. */
  preview: string
}

const normalArea = (): AreaForm => ({ severity: 'normal', note: '', refer: false, referTo: 'township', referNote: '' })
const normalAreas = () => Object.fromEntries(checkAreas.map((area) => [area, normalArea()])) as Record<CheckArea, AreaForm>

/**
 * Recording one visit to one elder: everything starts at its routine value (上门, now, all 正常),
 * so a routine visit is saved as it opens.
 */
export function useRecordVisit(elderId: () => string | undefined, now: () => Date = clock.now) {
  const detail = ref<ElderDetail | null>(null)
  const loading = ref(false)
  const form = reactive({
    mode: 'home' as VisitMode,
    visitedAt: localDateTime(now()),
    areas: normalAreas(),
    majorEvent: false,
    notes: '',
  })
  const saving = ref(false)
  const error = ref<AppError | null>(null)
  const urgent = ref<UrgentGuidance | null>(null)
  const elderOptions = ref<ElderRow[]>([])
  const photos = ref<PhotoForm[]>([])
  const addingPhotos = ref(false)

  /** Back to 正常 in every area, without notes or referrals. */
  function allNormal() {
    form.areas = normalAreas()
  }

  function reset() {
    form.mode = 'home'
    form.visitedAt = localDateTime(now())
    form.majorEvent = false
    form.notes = ''
    allNormal()
    clearPhotos()
  }

  function clearPhotos() {
    for (const photo of photos.value) URL.revokeObjectURL(photo.preview)
    photos.value = []
  }

  /**
   * Stores each picked file as an attachment and keeps its hash for the visit; a file the backend
   * refuses (not JPEG/PNG/WebP, over 10 MB) is left out and `error` says why.
   */
  async function addPhotos(files: File[]) {
    if (files.length === 0) return
    addingPhotos.value = true
    error.value = null
    try {
      for (const file of files) {
        try {
          const { sha256 } = await addAttachment(new Uint8Array(await file.arrayBuffer()))
          // The same photo picked twice is kept once, as the backend stores it once.
          if (photos.value.some((photo) => photo.sha256 === sha256)) continue
          photos.value.push({ sha256, name: file.name, preview: URL.createObjectURL(file) })
        } catch (rejection) {
          error.value = toAppError(rejection)
        }
      }
    } finally {
      addingPhotos.value = false
    }
  }

  /** Leaves a photo out of the visit (the stored attachment stays, unreferenced). */
  function removePhoto(sha256: string) {
    const photo = photos.value.find((candidate) => candidate.sha256 === sha256)
    if (!photo) return
    URL.revokeObjectURL(photo.preview)
    photos.value = photos.value.filter((candidate) => candidate !== photo)
  }

  /** Turns an area's referral on or off; turned on, its note starts as the area's note. */
  function setReferral(area: CheckArea, refer: boolean) {
    const areaForm = form.areas[area]
    areaForm.refer = refer
    if (refer && !areaForm.referNote.trim()) areaForm.referNote = areaForm.note
  }

  /** The visit as the backend takes it: all eight areas, referrals of the areas not 正常 that are toggled. */
  function draft(id: string): VisitDraft {
    const entries = checkAreas.map((area) => [area, form.areas[area]] as const)
    return {
      elder_id: id,
      visited_at: form.visitedAt,
      mode: form.mode,
      findings: Object.fromEntries(
        entries.map(([area, { severity, note }]) => [area, { severity, note: severity === 'normal' ? '' : note.trim() }]),
      ),
      referrals: entries
        .filter(([, { severity, refer }]) => severity !== 'normal' && refer)
        .map(([area, { referTo, referNote, note }]) => ({
          to_level: referTo,
          area,
          note: referNote.trim() || note.trim(),
        })),
      major_event: form.majorEvent,
      notes: form.notes.trim(),
      photos: photos.value.map((photo) => photo.sha256),
    }
  }

  /** Saves the visit; on failure the form keeps its input and `error` says why. */
  async function save(): Promise<VisitSaved | null> {
    const id = elderId()
    // While photos are still being added the visit would go without them.
    if (!id || saving.value || addingPhotos.value) return null
    saving.value = true
    error.value = null
    try {
      const saved = await recordVisit(draft(id))
      urgent.value = saved.urgent
      return saved
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      saving.value = false
    }
  }

  async function load(id: string) {
    loading.value = true
    error.value = null
    try {
      detail.value = await getElder({ id })
    } catch (rejection) {
      detail.value = null
      error.value = toAppError(rejection)
    } finally {
      loading.value = false
    }
  }

  /** Elders matching what was typed into the elder picker, for a visit not started from a list. */
  async function findElders(query: string) {
    try {
      const request = { place_code: null, query: query.trim(), include_inactive: false, page: 1, page_size: 20 }
      elderOptions.value = (await searchElders(request)).items
    } catch (rejection) {
      error.value = toAppError(rejection)
    }
  }

  watch(
    elderId,
    (id) => {
      reset()
      detail.value = null
      if (id) void load(id)
    },
    { immediate: true },
  )
  // The previews go with the page.
  if (getCurrentScope()) onScopeDispose(clearPhotos)

  return {
    detail,
    loading,
    form,
    saving,
    error,
    urgent,
    elderOptions,
    photos,
    addingPhotos,
    allNormal,
    setReferral,
    addPhotos,
    removePhoto,
    draft,
    save,
    findElders,
  }
}
