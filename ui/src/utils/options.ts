// The choices a form offers for an enum field: this build's values, and the record's own value
// when it is none of them (a value a newer app wrote, `unknown` here), so that the form shows it
// by its label and saving the record unchanged keeps it (the backend writes the stored value back).

export function withCurrent<T>(choices: readonly T[], current: T | null | undefined): T[] {
  if (current === null || current === undefined || choices.includes(current)) return [...choices]
  return [...choices, current]
}
