/** The deepest nesting of objects and arrays a JSON body may have: far beyond any DTO of ours. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether `text` nests objects or arrays deeper than `max`, found by one pass over it (brackets
 * inside strings do not count). Checked before parsing: a 100,000-deep array made validation
 * recurse until the stack overflowed (a 500), issue 10.
 */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * Whether a parsed JSON value holds a NUL character in any string, key or value: no field of
 * ours takes one, and Postgres refuses it in text (a username with `\u0000` answered 500).
 */
export function hasNulCharacter(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNulCharacter);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, entry]) => key.includes('\u0000') || hasNulCharacter(entry));
  return false;
}
