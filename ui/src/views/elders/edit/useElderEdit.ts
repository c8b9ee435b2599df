import { computed, reactive, ref, watch } from 'vue'
import type { Category } from '@/bindings/Category'
import type { DuplicateCandidate } from '@/bindings/DuplicateCandidate'
import type { EconomicStatus } from '@/bindings/EconomicStatus'
import type { Elder } from '@/bindings/Elder'
import type { PlaceNode } from '@/bindings/PlaceNode'
import { elderForEdit, placeTree, saveElder } from '@/api/elders'
import { toAppError, type AppError } from '@/api/error'
import { fieldErrorsOf } from '@/utils/fieldErrors'
import { localDateTime } from '@/utils/time'
import { clock } from '@/utils/clock'
import { plain } from '@/utils/text'

/** The categories in the order the form shows them. */
export const categories: Category[] = [
  'living_alone',
  'empty_nest',
  'left_behind',
  'disabled',
  'severely_disabled',
  'family_planning_special',
  'widowed_childless',
]

export const economicStatuses: EconomicStatus[] = [
  'none',
  'tekun_centralized',
  'tekun_dispersed',
  'dibao',
  'low_income',
  'poverty_alleviated',
]

export interface ContactRow {
  /** The contact's id in `Elder.contacts`: kept when editing, fresh for a new one. */
  key: string
  name: string
  relation: string
  phone: string
  isSupporter: boolean
}

export interface ElderForm {
  name: string
  idNumber: string
  phone: string
  villageCode: string
  address: string
  categories: Category[]
  /** Since-dates by category; kept for unticked ones so ticking again restores the date. */
  since: Partial<Record<Category, string>>
  economicStatus: EconomicStatus
  contacts: ContactRow[]
  notes: string
}

export const today = () => localDateTime(clock.now()).slice(0, 10)

/** A fresh id for a contact; getRandomValues, unlike randomUUID, needs no secure context. */
export const newContactId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('')

export const emptyForm = (): ElderForm => ({
  name: '',
  idNumber: '',
  phone: '',
  villageCode: '',
  address: '',
  categories: [],
  since: {},
  economicStatus: 'none',
  contacts: [],
  notes: '',
})

/** The form of a loaded elder (loaded whole, ID number unmasked, with elder_for_edit). */
export function formOf(elder: Elder): ElderForm {
  return {
    name: elder.name,
    idNumber: elder.id_number,
    phone: elder.phone ?? '',
    villageCode: elder.village_code,
    address: elder.address,
    categories: categories.filter((category) => elder.categories[category] !== undefined),
    since: { ...elder.categories },
    economicStatus: elder.economic_status,
    contacts: Object.entries(elder.contacts).map(([key, contact]) => ({
      key,
      name: contact.name,
      relation: contact.relation,
      phone: contact.phone ?? '',
      isSupporter: contact.is_supporter,
    })),
    notes: elder.notes,
  }
}

/**
 * The elder to save: the form's fields over `base` (the loaded record when editing). A new
 * elder has an empty id and meta; the backend derives gender and birth date from the ID number.
 */
export function buildElder(form: ElderForm, base: Elder | null): Elder {
  const blankPhone = (phone: string) => plain(phone) || null
  return {
    id: base?.id ?? '',
    gender: base?.gender ?? 'male',
    birth_date: base?.birth_date ?? '1900-01-01',
    life: base?.life ?? { state: 'active', date: null, moved_to: null },
    events: base?.events ?? {},
    meta: base?.meta ?? { created_at: '', created_by: '', voided_at: null, voided_by: null, void_reason: null },
    name: form.name.trim(),
    id_number: plain(form.idNumber).toUpperCase(),
    phone: blankPhone(form.phone),
    address: form.address.trim(),
    village_code: form.villageCode,
    categories: Object.fromEntries(form.categories.map((category) => [category, form.since[category] ?? today()])),
    economic_status: form.economicStatus,
    contacts: Object.fromEntries(
      form.contacts.map((contact) => [
        contact.key,
        {
          name: contact.name.trim(),
          relation: contact.relation.trim(),
          phone: blankPhone(contact.phone),
          is_supporter: contact.isSupporter,
        },
      ]),
    ),
    notes: form.notes.trim(),
  }
}

/**
 * Adding an elder (no id) or editing one: the form, the villages to choose from, and saving,
 * which may first come back with possible duplicates to confirm.
 */
export function useElderEdit(elderId: () => string | undefined) {
  const form = reactive<ElderForm>(emptyForm())
  const original = ref<Elder | null>(null)
  const places = ref<PlaceNode[]>([])
  const loading = ref(false)
  const saving = ref(false)
  const error = ref<AppError | null>(null)
  const candidates = ref<DuplicateCandidate[]>([])
  /** The backend's problems, under the form items they belong to. */
  const fieldErrors = computed(() => fieldErrorsOf(error.value))

  async function start() {
    loading.value = true
    error.value = null
    try {
      const id = elderId()
      const [tree, elder] = await Promise.all([placeTree(), id ? elderForEdit({ id }) : null])
      places.value = tree
      if (elder) {
        original.value = elder
        Object.assign(form, formOf(elder))
      }
    } catch (rejection) {
      error.value = toAppError(rejection)
    } finally {
      loading.value = false
    }
  }

  function addContact() {
    form.contacts.push({ key: newContactId(), name: '', relation: '', phone: '', isSupporter: false })
  }

  function removeContact(key: string) {
    form.contacts = form.contacts.filter((contact) => contact.key !== key)
  }

  /**
   * Saves; resolves to the saved elder, or null when nothing was saved: possible duplicates
   * (now in `candidates`) or a rejection (now in `error`, the form untouched).
   */
  async function save(confirmed = false): Promise<Elder | null> {
    saving.value = true
    error.value = null
    try {
      const outcome = await saveElder({ elder: buildElder(form, original.value), confirmed })
      if (outcome.outcome === 'possible_duplicates') {
        candidates.value = outcome.candidates
        return null
      }
      candidates.value = []
      return outcome.elder
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      saving.value = false
    }
  }

  /** The person looked at the candidates and says this is someone else: save anyway. */
  const saveAsDifferent = () => save(true)

  function dismissCandidates() {
    candidates.value = []
  }

  // A ticked category starts from today.
  watch(
    () => [...form.categories],
    (ticked) => ticked.forEach((category) => (form.since[category] ??= today())),
  )

  return {
    form,
    original,
        places,
    loading,
    saving,
    error,
    fieldErrors,
    candidates,
    start,
    addContact,
    removeContact,
    save,
    saveAsDifferent,
    dismissCandidates,
  }
}
