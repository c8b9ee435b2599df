import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { AccountOption } from '@/bindings/AccountOption'
import type { SessionStatus } from '@/bindings/SessionStatus'
import { signIn, signInWithCode } from '@/api/session'
import { useSignIn } from './useSignIn'

vi.mock('@/api/session', () => ({ signIn: vi.fn(), signInWithCode: vi.fn() }))

const account = (user_id: string, has_password: boolean, has_code: boolean, can_ask_county = false): AccountOption => ({
  user_id,
  role: 'caseworker',
  masked_name: '钟*',
  has_password,
  has_code,
  can_ask_county,
  locked_until: null,
})
const accounts = [account('u-password', true, false), account('u-code', false, true)]
const signedIn = { stage: 'signed_in' } as SessionStatus

describe('the sign-in form', () => {
  beforeEach(() => vi.resetAllMocks())

  it('offers the accounts with a password, and those with a code in code mode', () => {
    const form = useSignIn(() => accounts, () => 8)
    expect(form.choices.value.map((a) => a.user_id)).toEqual(['u-password'])
    form.switchMode('code')
    expect(form.choices.value.map((a) => a.user_id)).toEqual(['u-code'])
    expect(form.form.user_id).toBe('u-code')
  })

  it('offers, online, everyone the county lets sign in here for a code: the server has theirs', () => {
    const online = [account('u-password', true, false, true), account('u-new', false, false, true)]
    const form = useSignIn(() => online, () => 8)
    expect(form.choices.value.map((a) => a.user_id)).toEqual(['u-password'])
    form.switchMode('code')
    expect(form.choices.value.map((a) => a.user_id)).toEqual(['u-password', 'u-new'])
  })

  it('signs in with the password and forgets it, whatever the answer', async () => {
    vi.mocked(signIn).mockResolvedValue(signedIn)
    const form = useSignIn(() => accounts, () => 8)
    Object.assign(form.form, { user_id: 'u-password', password: 'secret-pass' })
    expect(await form.submit()).toBe(signedIn)
    expect(signIn).toHaveBeenCalledWith({ user_id: 'u-password', password: 'secret-pass' })
    expect(form.form.password).toBe('')

    vi.mocked(signIn).mockRejectedValue({ code: 'wrong_password', message: '密码不正确，再错 4 次账号将在本机锁定' })
    Object.assign(form.form, { password: 'guess' })
    expect(await form.submit()).toBeNull()
    expect(form.error.value?.message).toContain('再错 4 次')
    expect(form.form.password).toBe('')
  })

  it('checks the new password before a code is spent', async () => {
    vi.mocked(signInWithCode).mockResolvedValue(signedIn)
    const form = useSignIn(() => accounts, () => 8)
    form.switchMode('code')
    Object.assign(form.form, { code: 'ABCD-EFGH-JKMN', new_password: 'short', confirm: 'short' })
    expect(await form.submit()).toBeNull()
    expect(form.error.value?.message).toBe('密码至少 8 个字符')
    Object.assign(form.form, { new_password: 'caseworker-pass', confirm: 'caseworker-pas' })
    expect(await form.submit()).toBeNull()
    expect(form.error.value?.message).toBe('两次输入的密码不一致')
    expect(signInWithCode).not.toHaveBeenCalled()
    Object.assign(form.form, { confirm: 'caseworker-pass' })
    expect(await form.submit()).toBe(signedIn)
    expect(signInWithCode).toHaveBeenCalledWith({ user_id: 'u-code', code: 'ABCD-EFGH-JKMN', new_password: 'caseworker-pass' })
  })
})
