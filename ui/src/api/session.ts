import { invoke } from '@tauri-apps/api/core'
import type { ChangePassword } from '@/bindings/ChangePassword'
import type { SessionStatus } from '@/bindings/SessionStatus'
import type { SetUpPassword } from '@/bindings/SetUpPassword'
import type { SignIn } from '@/bindings/SignIn'
import type { SignInWithCode } from '@/bindings/SignInWithCode'

// session · start-up: where this PC stands (fresh, upgrading, signed out, signed in) and the accounts it knows.
export const sessionStatus = () => invoke<SessionStatus>('session_status')

// session · sign-in page and lock screen: a password.
export const signIn = (request: SignIn) => invoke<SessionStatus>('sign_in', { request })

// session · sign-in page: a first sign-in or a reset with the county's one-time code.
export const signInWithCode = (request: SignInWithCode) => invoke<SessionStatus>('sign_in_with_code', { request })

// session · upgrade page: the password of the person who set up this PC.
export const setUpPassword = (request: SetUpPassword) => invoke<SessionStatus>('set_up_password', { request })

// session · header and idle lock: the backend forgets who is signed in.
export const signOut = () => invoke<SessionStatus>('sign_out')

// session · header: a new password.
export const changePassword = (request: ChangePassword) => invoke<void>('change_password', { request })
