/**
 * JSON with object keys sorted at every level: the same text for the same value, whatever order
 * its keys were written or read back in (Postgres jsonb reorders them), so it can be MAC'd.
 * For the JSON a payload holds: strings, finite numbers, booleans, null, arrays, plain objects.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonicalJson takes finite numbers only');
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) throw new Error(`canonicalJson cannot encode a ${typeof value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}
