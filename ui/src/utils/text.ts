// Text as people type it with a Chinese input method, made plain before it is checked: the same
// rule as the backend's `xianglin_schema::text::plain`. Full-width ASCII (０–９, Ａ–Ｚ, ａ–ｚ, －,
// ＋, ．, ，) becomes half-width, the ideographic space a space, invisible characters (zero-width
// spaces and joiners, the byte-order mark, soft hyphens, direction marks) go, and the ends are
// trimmed.

const INVISIBLE = /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD\u202A-\u202E]/g

export function plain(input: string): string {
  return input
    .replace(INVISIBLE, '')
    .replace(/\u3000/g, ' ')
    .replace(/[\uFF01-\uFF5E]/g, (character) => String.fromCharCode(character.charCodeAt(0) - 0xff01 + 0x21))
    .trim()
}
