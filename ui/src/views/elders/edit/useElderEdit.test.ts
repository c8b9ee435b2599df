import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { DuplicateCandidate } from '@/bindings/DuplicateCandidate'
import type { Elder } from '@/bindings/Elder'
import { elderForEdit, placeTree, saveElder } from '@/api/elders'
import { today, useElderEdit } from './useElderEdit'

vi.mock('@/api/elders', () => ({ placeTree: vi.fn(), elderForEdit: vi.fn(), saveElder: vi.fn() }))

const candidate: DuplicateCandidate = {
  elder_id: 'e-1',
  name: '张建国',
  id_number_masked: '3607**********0017',
  birth_date: '1946-03-15',
  village_name: '庄口居委会',
  life: { state: 'active', date: null, moved_to: null },
  reason: 'same_id_number',
  explanation: '身份证号与庄口居委会的张建国相同',
}

/** A form filled in as a station worker would: two categories, one contact. */
function fillIn(edit: ReturnType<typeof useElderEdit>) {
  edit.form.name = ' 李桂英 '
  edit.form.idNumber = '11010519491231002x'
  edit.form.phone = '13907970001'
  edit.form.villageCode = '360733105001'
  edit.form.address = '庄口镇上街 8 号'
  edit.form.categories = ['living_alone', 'widowed_childless']
  edit.form.since = { living_alone: '2024-05-01' }
  edit.form.economicStatus = 'dibao'
  edit.addContact()
  Object.assign(edit.form.contacts[0]!, { name: '李小红', relation: '女儿', phone: '', isSupporter: true })
}

const sentElder = (): Elder => vi.mocked(saveElder).mock.calls.at(-1)![0].elder

describe('useElderEdit', () => {
  beforeEach(() => {
    vi.mocked(saveElder).mockReset()
    vi.mocked(elderForEdit).mockReset()
    vi.mocked(placeTree).mockReset().mockResolvedValue([])
  })

  it('builds a new elder with an empty id, contacts keyed by id and categories with their since-dates', async () => {
    vi.mocked(saveElder).mockImplementation(async ({ elder }) => ({ outcome: 'saved', elder: { ...elder, id: 'new-1' } }))
    const edit = useElderEdit(() => undefined)
    fillIn(edit)

    const saved = await edit.save()

    expect(saved?.id).toBe('new-1')
    expect(saveElder).toHaveBeenCalledWith(expect.objectContaining({ confirmed: false }))
    const elder = sentElder()
    const contactId = edit.form.contacts[0]!.key
    expect(contactId).toMatch(/^[0-9a-f]{32}$/)
    expect(elder).toEqual({
      id: '',
      name: '李桂英',
      id_number: '11010519491231002X',
      gender: 'male',
      birth_date: '1900-01-01',
      phone: '13907970001',
      address: '庄口镇上街 8 号',
      village_code: '360733105001',
      categories: { living_alone: '2024-05-01', widowed_childless: today() },
      economic_status: 'dibao',
      life: { state: 'active', date: null, moved_to: null },
      contacts: { [contactId]: { name: '李小红', relation: '女儿', phone: null, is_supporter: true } },
      events: {},
      notes: '',
      meta: { created_at: '', created_by: '', voided_at: null, voided_by: null, void_reason: null },
    })
  })

  it('shows possible duplicates without saving, and saving anyway re-sends with confirmed: true', async () => {
    vi.mocked(saveElder)
      .mockResolvedValueOnce({ outcome: 'possible_duplicates', candidates: [candidate] })
      .mockImplementationOnce(async ({ elder }) => ({ outcome: 'saved', elder: { ...elder, id: 'new-2' } }))
    const edit = useElderEdit(() => undefined)
    fillIn(edit)

    expect(await edit.save()).toBeNull()
    expect(edit.candidates.value).toEqual([candidate])

    const saved = await edit.saveAsDifferent()
    expect(saveElder).toHaveBeenCalledTimes(2)
    expect(saveElder).toHaveBeenLastCalledWith(expect.objectContaining({ confirmed: true }))
    expect(sentElder().name).toBe('李桂英')
    expect(saved?.id).toBe('new-2')
    expect(edit.candidates.value).toEqual([])
  })

  it('keeps everything typed and exposes the backend message when the save is rejected', async () => {
    const message = '身份证号校验位不正确，请核对；联系电话不是有效的手机或固定电话号码'
    const problems = [
      { field: 'id_number', message: '身份证号校验位不正确，请核对' },
      { field: 'phone', message: '联系电话不是有效的手机或固定电话号码' },
    ]
    vi.mocked(saveElder).mockRejectedValue({ code: 'invalid', message, problems })
    const edit = useElderEdit(() => undefined)
    fillIn(edit)
    await nextTick()
    const typed = JSON.parse(JSON.stringify(edit.form))

    expect(await edit.save()).toBeNull()

    expect(edit.error.value).toEqual({ code: 'invalid', message, problems })
    // Each field the backend refused is marked on the form itself.
    expect(edit.fieldErrors.value).toEqual({
      idNumber: '身份证号校验位不正确，请核对',
      phone: '联系电话不是有效的手机或固定电话号码',
    })
    expect(edit.form).toEqual(typed)
    expect(edit.saving.value).toBe(false)
  })

  it('editing fills the form from the full record, ID number included, and keeps what the form does not show', async () => {
    const stored: Elder = {
      id: 'e-1',
      name: '张建国',
      id_number: '360733194603150017',
      gender: 'male',
      birth_date: '1946-03-15',
      phone: null,
      address: '庄口居委会',
      village_code: '360733105001',
      categories: { empty_nest: '2020-01-01' },
      economic_status: 'none',
      life: { state: 'active', date: null, moved_to: null },
      contacts: { c1: { name: '张小明', relation: '儿子', phone: '13907971234', is_supporter: true } },
      events: {},
      notes: '',
      meta: { created_at: '2020-01-01T08:00:00', created_by: 'u1', voided_at: null, voided_by: null, void_reason: null },
    }
    vi.mocked(elderForEdit).mockResolvedValue(stored)
    vi.mocked(saveElder).mockImplementation(async ({ elder }) => ({ outcome: 'saved', elder }))
    const edit = useElderEdit(() => 'e-1')
    await edit.start()

    expect(edit.form.idNumber).toBe('360733194603150017')
    expect(edit.form.contacts).toEqual([{ key: 'c1', name: '张小明', relation: '儿子', phone: '13907971234', isSupporter: true }])

    edit.form.phone = '13907970002'
    await edit.save()
    expect(sentElder()).toMatchObject({ id: 'e-1', id_number: '360733194603150017', meta: stored.meta })
    expect(sentElder().contacts).toEqual(stored.contacts)
  })
})
