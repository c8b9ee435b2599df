/** The shape every failed command rejects with: a stable code and a Chinese message. */
export interface AppError {
  code: string
  message: string
}

/** Turns whatever a rejected `invoke` carried into an `AppError`, keeping the backend's code. */
export function toAppError(rejection: unknown): AppError {
  if (isAppError(rejection)) return { code: rejection.code, message: rejection.message }
  return { code: 'unknown', message: String(rejection) }
}

function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === 'string' &&
    typeof (value as Record<string, unknown>).message === 'string'
  )
}
