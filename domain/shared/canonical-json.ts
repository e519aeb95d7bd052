/**
 * A canonical JSON text: object keys sorted at every depth, no whitespace, absent and undefined fields
 * alike. Two writers that agree on the content agree on the bytes, so a hash or a signature over it is
 * reproducible by any verifier. Pure code: the workflow sandbox uses it too.
 *
 * The bytes are a contract: every hash-chain link and command seal already written was computed over
 * them. The text is built in one pass, without intermediate arrays, and plain strings skip
 * JSON.stringify: it runs for every appended event, inside the append's transaction.
 * test/domain/canonical-json.unit.test.ts holds it to the plain statement of the rules.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'undefined':
      return 'null';
    case 'object':
      break;
    default:
      // Numbers, booleans; a bigint throws and a function or symbol gives undefined, as they always did.
      return JSON.stringify(value);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // A hole in a sparse array stays empty, as Array.prototype.map and join leave it.
      if (i in value) out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  return canonicalObject(value as Record<string, unknown>, undefined);
}

/** The bytes canonicalJson gives `{ ...value, [omitted]: undefined }`, without making that copy. */
export function canonicalJsonWithout(value: object, omitted: string): string {
  return canonicalObject(value as Record<string, unknown>, omitted);
}

function canonicalObject(record: Record<string, unknown>, omitted: string | undefined): string {
  const keys = sortedKeys(record);
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined || key === omitted) continue;
    out += `${first ? '' : ','}${quoteKey(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** Up to this many keys, an insertion sort; beyond, Array.prototype.sort (no quadratic worst case). */
const INSERTION_SORT_KEYS = 16;

/**
 * The object's own enumerable keys in the order canonical JSON writes them: by UTF-16 code units, as
 * `<` compares strings and the default sort does (own keys are unique, so no ties). Most objects have a
 * handful of keys, and for so few an insertion sort costs less than the default sort's generic
 * comparison of each pair; it runs for every object of every appended event.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (keys.length > INSERTION_SORT_KEYS) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** What JSON.stringify escapes: '"', '\', control characters, and lone surrogates (any surrogate here, to be safe). */
// eslint-disable-next-line no-control-regex -- control characters are among what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string, without calling it for the usual string that needs no escape. */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** Keys are mostly the same few field names over and over; their quoted forms are kept (a bounded few). */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_KEPT = 4096;

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = quote(key);
    if (quotedKeys.size < QUOTED_KEYS_KEPT) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * canonicalJson's text, when that text is also one JSON.stringify's parses the same as: the value is
 * plain data (objects of the plain or null prototype, arrays without holes, strings, numbers, booleans,
 * null, undefined fields). Otherwise undefined: a Date or any other value with a prototype of its own
 * (JSON.stringify would call its toJSON), a function or symbol, a hole, an undefined root. An append
 * stores this text, the very bytes it hashes, so each event is serialized once.
 */
export function plainCanonicalJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      // What JSON.stringify gives a number: its ToString when finite, null when not.
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      // Throws, as canonicalJson and JSON.stringify do.
      return JSON.stringify(value);
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return undefined;
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      // undefined in an array is null in both forms; a hole is empty in canonicalJson's.
      const json = item === undefined ? (i in value ? 'null' : undefined) : plainCanonicalJson(item);
      if (json === undefined) return undefined;
      out += json;
    }
    return `${out}]`;
  }
  const parts = plainCanonicalParts(value, undefined);
  return parts === undefined ? undefined : `{${parts.before}}`;
}

/**
 * A plain object's canonical entries (`"key":value`, comma-joined) that sort before `key` and those that
 * sort after it, `key`'s own left out: the text with and without that field, built once. Undefined when
 * the object is not plain data (see plainCanonicalJson).
 */
export interface CanonicalParts {
  before: string;
  after: string;
}

export function plainCanonicalParts(value: object, key: string | undefined): CanonicalParts | undefined {
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let before = '';
  let after = '';
  for (const k of keys) {
    const v = record[k];
    if (v === undefined || k === key) continue;
    const json = plainCanonicalJson(v);
    if (json === undefined) return undefined;
    const entry = `${quoteKey(k)}:${json}`;
    if (key !== undefined && k > key) after += after === '' ? entry : `,${entry}`;
    else before += before === '' ? entry : `,${entry}`;
  }
  return { before, after };
}

/** The object's canonical text from its parts, with `field` (its key and value, JSON) between them when given. */
export function joinCanonicalParts(parts: CanonicalParts, field?: string): string {
  let out = parts.before;
  if (field !== undefined) out += out === '' ? field : `,${field}`;
  if (parts.after !== '') out += out === '' ? parts.after : `,${parts.after}`;
  return `{${out}}`;
}
