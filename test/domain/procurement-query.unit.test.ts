import fc from 'fast-check';
import { ProcurementQuery, plainProcurementQuery } from '../../domain/procurement';
import { DATA_CLASSES } from '../../domain/shared/vocabulary';

/**
 * The check's query has a cheap path for its usual shape (plainProcurementQuery); the schema stays the
 * judge: the cheap path may only give what ProcurementQuery gives, and leaves everything else to it.
 */
const id = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,12}$/),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' pse-a', 'pse-a ', 'a'.repeat(100), 'a'.repeat(101), 'pse a', 'pse/a'),
);
const dataClass = fc.oneof(fc.constantFrom(...DATA_CLASSES), fc.constantFrom('Public', 'top-secret', ''), fc.string({ maxLength: 8 }));
const at = fc.oneof(
  fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2025-06-01T00:00:00Z', '2025-06-01T05:00:00+05:00', '2025-13-01T00:00:00Z', '2025-06-01', 'yesterday', ''),
);
const field = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.oneof(arb, fc.array(arb, { minLength: 2, maxLength: 2 })), { nil: undefined });
const query = fc
  .record({ pse: field(id), offering: field(id), dataClass: field(dataClass), at: field(at), other: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }) })
  .map((q) => {
    // As Fastify's query parser gives it: only the parameters that came, as strings or arrays of them.
    const raw: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [key, value] of Object.entries(q)) if (value !== undefined) raw[key] = value;
    return raw;
  });

describe('the procurement check query parsed on its plain path', () => {
  it('gives exactly what the schema gives whenever it gives anything, and gives something for every plain question', () => {
    fc.assert(
      fc.property(query, (raw) => {
        const plain = plainProcurementQuery(raw);
        const parsed = ProcurementQuery.safeParse(raw);
        if (plain !== undefined) {
          expect(parsed.success).toBe(true);
          expect(plain).toEqual(parsed.data);
        }
        const usual =
          parsed.success &&
          Object.keys(raw).every((key) => key in parsed.data) &&
          [raw.pse, raw.offering].every((v) => typeof v === 'string' && v.trim() === v);
        if (usual) expect(plain).toEqual(parsed.data);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves a query with a bad field to the schema, whose error names that field', () => {
    const raw = { pse: 'pse-a', offering: 'off-1', dataClass: 'top-secret' };
    expect(plainProcurementQuery(raw)).toBeUndefined();
    const parsed = ProcurementQuery.safeParse(raw);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['dataClass']);
  });

  it('checks a given instant with the schema too', () => {
    expect(plainProcurementQuery({ pse: 'pse-a', offering: 'off-1', dataClass: 'public', at: '2025-06-01T00:00:00Z' })).toEqual({
      pse: 'pse-a',
      offering: 'off-1',
      dataClass: 'public',
      at: '2025-06-01T00:00:00Z',
    });
    expect(plainProcurementQuery({ pse: 'pse-a', offering: 'off-1', dataClass: 'public', at: '2025-13-01T00:00:00Z' })).toBeUndefined();
  });
});
