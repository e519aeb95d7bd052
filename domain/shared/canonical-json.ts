/**
 * A canonical JSON text: object keys sorted at every depth, no whitespace, absent and undefined fields
 * alike. Two writers that agree on the content agree on the bytes, so a hash or a signature over it is
 * reproducible by any verifier. Pure code: the workflow sandbox uses it too.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
