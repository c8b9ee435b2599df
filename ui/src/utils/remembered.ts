/**
 * Small choices the app keeps between starts on this computer (the place a list was showing),
 * in the webview's local storage. Missing storage (tests, a locked-down profile) means nothing is
 * remembered; it never fails a page.
 */
const prefix = 'xianglin.'

export function recall(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(prefix + key) ?? null
  } catch {
    return null
  }
}

export function remember(key: string, value: string | null) {
  try {
    if (value === null) globalThis.localStorage?.removeItem(prefix + key)
    else globalThis.localStorage?.setItem(prefix + key, value)
  } catch {
    // Storage full or refused: the choice is simply not remembered.
  }
}
