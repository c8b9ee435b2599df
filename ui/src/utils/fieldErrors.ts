import type { AppError } from '@/api/error'

/**
 * A form item's key for a field as the backend names it: each dot-separated part in camelCase
 * (`id_number` → `idNumber`, `life.date` → `life.date`, `referrals.0.note` → `referrals.0.note`),
 * which is how the forms name their items.
 */
export function formKey(field: string): string {
  return field
    .split('.')
    .map((part) => part.replace(/_([a-z0-9])/g, (_, next: string) => next.toUpperCase()))
    .join('.')
}

/**
 * Each field's message from a command's error, by form key, for `<el-form-item :error>`: the
 * form marks the field itself, not only a message above it. Several problems of one field are
 * joined. Empty when there is no error or it is not about fields.
 */
export function fieldErrorsOf(error: AppError | null | undefined): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const problem of error?.problems ?? []) {
    const key = formKey(problem.field)
    errors[key] = errors[key] ? `${errors[key]}；${problem.message}` : problem.message
  }
  return errors
}
