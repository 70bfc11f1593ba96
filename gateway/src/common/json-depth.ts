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
