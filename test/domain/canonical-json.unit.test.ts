import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { canonicalJson, canonicalJsonWithout, joinCanonicalParts, plainCanonicalJson, plainCanonicalParts } from '../../domain/shared/canonical-json';
import { EVENT_LOG_FIXTURE_DIR } from '../support/event-log-fixture';

/**
 * canonicalJson as it was first written. Every hash-chain link and command seal in a log was computed
 * over its bytes, so the one-pass form must give the same text for every value, odd ones included.
 */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves out undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: undefined } })).toBe('{"a":{"d":[1,{"y":null,"z":true}]},"b":1}');
  });

  it('gives the bytes the plain form gives for odd values: holes, undefined in arrays, escapes, dates, numbers', () => {
    const odd = [
      // eslint-disable-next-line no-sparse-arrays -- a hole is one of the odd values
      [, 1, undefined],
      { 'é"\n': 'x\u2028', Z: 1, a: 2, '10': 3, '9': 4, '\\': '\u007f', tab: '\t' },
      ['\ud83d\ude00', '\ud83d', 'a\udc00b', '\u0000', '\u001f', ' '],
      new Date(0),
      Object.assign(Object.create(null) as object, { b: 1, a: [true, false] }),
      -0,
      1e21,
      Number.NaN,
      Number.NEGATIVE_INFINITY,
      'plain',
      undefined,
      null,
    ];
    for (const value of odd) expect(canonicalJson(value)).toBe(reference(value));
  });

  it('gives the bytes the plain form gives for any value fast-check builds, null-prototype objects and boxed strings included', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({ withSparseArray: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true }),
          // Any UTF-16 code units in keys and strings, lone surrogates included.
          fc.anything({ stringUnit: 'binary' }),
        ),
        (value) => {
          expect(canonicalJson(value)).toBe(reference(value));
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('gives the bytes the plain form gives for every event of the previous release’s log', () => {
    const lines = readFileSync(join(EVENT_LOG_FIXTURE_DIR, 'previous-release.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) {
      const event = JSON.parse(line) as unknown;
      expect(canonicalJson(event)).toBe(reference(event));
    }
  });
});

describe('canonicalJsonWithout', () => {
  it('gives the bytes canonicalJson gives the object spread without the field', () => {
    fc.assert(
      fc.property(fc.oneof(fc.object(), fc.array(fc.anything())), fc.string(), (value, omitted) => {
        const { [omitted]: _left, ...rest } = value as Record<string, unknown>;
        expect(canonicalJsonWithout(value, omitted)).toBe(reference(rest));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
    expect(canonicalJsonWithout({ b: 1, integrity: { prev: 'x' }, a: 2 }, 'integrity')).toBe('{"a":2,"b":1}');
  });
});

describe('plainCanonicalJson', () => {
  const runs = { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) };

  it('gives canonicalJson’s bytes for any JSON value, and they parse to what JSON.stringify’s parse to', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'binary' })), (value) => {
        const text = plainCanonicalJson(value);
        expect(text).toBe(canonicalJson(value));
        expect(JSON.parse(text as string)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      runs,
    );
  });

  it('for any value at all, gives either canonicalJson’s bytes parsing as JSON.stringify’s would, or nothing', () => {
    fc.assert(
      fc.property(fc.anything({ withSparseArray: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withTypedArray: true }), (value) => {
        const text = plainCanonicalJson(value);
        if (text === undefined) return;
        expect(text).toBe(canonicalJson(value));
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      runs,
    );
  });

  it('keeps undefined fields, undefined in arrays and numbers JSON has no form for as JSON.stringify does', () => {
    const value = { b: [undefined, Number.NaN, -0, 1e21, Number.POSITIVE_INFINITY], a: undefined, c: Object.assign(Object.create(null) as object, { z: 1, y: 'é\n' }) };
    expect(plainCanonicalJson(value)).toBe('{"b":[null,null,0,1e+21,null],"c":{"y":"é\\n","z":1}}');
    expect(JSON.parse(plainCanonicalJson(value) as string)).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('gives nothing for what JSON.stringify would write otherwise than canonicalJson: dates, boxed values, functions, holes, an undefined root', () => {
    // eslint-disable-next-line no-sparse-arrays -- a hole is one of the values refused
    const refused: unknown[] = [new Date(0), { at: new Date(0) }, [Object('x')], { f: () => 1 }, [Symbol('s')], [1, , 2], undefined, new Map(), { toJSON: () => 'x' }];
    for (const value of refused) expect(plainCanonicalJson(value)).toBeUndefined();
  });

  it('gives the bytes canonicalJson gives every event of the previous release’s log', () => {
    const lines = readFileSync(join(EVENT_LOG_FIXTURE_DIR, 'previous-release.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
    for (const line of lines) {
      const event = JSON.parse(line) as unknown;
      expect(plainCanonicalJson(event)).toBe(canonicalJson(event));
    }
  });
});

describe('plainCanonicalParts', () => {
  it('joins to canonicalJsonWithout’s bytes without the field, and to canonicalJson’s with it', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), fc.jsonValue(), (value, key, field) => {
        const parts = plainCanonicalParts(value, key);
        if (parts === undefined) throw new Error('a JSON object is plain data');
        expect(joinCanonicalParts(parts)).toBe(canonicalJsonWithout(value, key));
        const withField = joinCanonicalParts(parts, `${JSON.stringify(key)}:${canonicalJson(field)}`);
        expect(withField).toBe(canonicalJson({ ...value, [key]: field }));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});
