import { computed, reactive, ref } from 'vue'
import type { AccountOption } from '@/bindings/AccountOption'
import type { SessionStatus } from '@/bindings/SessionStatus'
import { signIn, signInWithCode } from '@/api/session'
import { toAppError, type AppError } from '@/api/error'
import { i18n } from '@/locales'

/** The sign-in form: a password, or the county's one-time code with a new password. */
export function useSignIn(accounts: () => AccountOption[], minLength: () => number) {
  const mode = ref<'password' | 'code'>('password')
  const form = reactive({ user_id: '', password: '', code: '', new_password: '', confirm: '' })
  const busy = ref(false)
  const error = ref<AppError | null>(null)

  /** The accounts each mode can sign in: with a password set; with a code waiting here, or
   * (online) one the county server holds. */
  const choices = computed(() =>
    accounts().filter((account) =>
      mode.value === 'password' ? account.has_password : account.has_code || account.can_ask_county,
    ),
  )

  function switchMode(next: 'password' | 'code') {
    mode.value = next
    error.value = null
    if (!choices.value.some((account) => account.user_id === form.user_id)) form.user_id = choices.value[0]?.user_id ?? ''
  }

  const fail = (message: string) => {
    error.value = { code: 'invalid_input', message, problems: [] }
    return null
  }

  /** Signs in; resolves with the new session status, or null (the error says why). */
  async function submit(): Promise<SessionStatus | null> {
    if (busy.value) return null
    error.value = null
    if (!form.user_id) return fail(i18n.global.t('session.accountPlaceholder'))
    if (mode.value === 'code') {
      if (!form.code.trim()) return fail(i18n.global.t('session.code'))
      if (form.new_password.length < minLength()) return fail(i18n.global.t('session.passwordMin', { min: minLength() }))
      if (form.new_password !== form.confirm) return fail(i18n.global.t('session.mismatch'))
    } else if (!form.password) {
      return fail(i18n.global.t('session.password'))
    }
    busy.value = true
    try {
      return mode.value === 'code'
        ? await signInWithCode({ user_id: form.user_id, code: form.code, new_password: form.new_password })
        : await signIn({ user_id: form.user_id, password: form.password })
    } catch (rejection) {
      error.value = toAppError(rejection)
      return null
    } finally {
      form.password = ''
      busy.value = false
    }
  }

  return { mode, form, busy, error, choices, switchMode, submit }
}
