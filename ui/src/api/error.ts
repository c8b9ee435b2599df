import type { Problem } from '@/bindings/Problem'

/**
 * The shape every failed command rejects with: a stable code, a Chinese message, and the fields
 * that broke rules (empty when the failure is not about a field), so a form marks each field.
 */
export interface AppError {
  code: string
  message: string
  problems: FieldProblem[]
}

/** One field's problem: the field as the request names it (`id_number`, `life.date`). */
export type FieldProblem = Pick<Problem, 'field' | 'message'>

/** Turns whatever a rejected `invoke` carried into an `AppError`, keeping the backend's code. */
export function toAppError(rejection: unknown): AppError {
  if (isAppError(rejection)) {
    const problems = Array.isArray(rejection.problems) ? rejection.problems.filter(isFieldProblem) : []
    return {
      code: rejection.code,
      message: rejection.message,
      problems: problems.map(({ field, message }) => ({ field, message })),
    }
  }
  return { code: 'unknown', message: String(rejection), problems: [] }
}

function isAppError(value: unknown): value is { code: string; message: string; problems?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === 'string' &&
    typeof (value as Record<string, unknown>).message === 'string'
  )
}

function isFieldProblem(value: unknown): value is FieldProblem {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).field === 'string' &&
    typeof (value as Record<string, unknown>).message === 'string'
  )
}
