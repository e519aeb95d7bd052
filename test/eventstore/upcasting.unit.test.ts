import { z } from 'zod';
import { DomainError } from '../../domain/shared/errors';
import { decode, registerEventTypes, validateForWrite } from '../../eventstore/registry';
import { checkUpcasterChain, schemaVersionOf, unchangedFrom, upcast, upcaster } from '../../eventstore/upcasting';
import type { RecordedEvent } from '../../eventstore/port';

const V1 = z.object({ name: z.string() });
const V2 = z.object({ fullName: z.string() });
const V3 = z.object({ fullName: z.string(), alias: z.string().optional() });
const chain = [upcaster(1, { from: V1, to: V2 }, (d) => ({ fullName: d.name })), unchangedFrom(2)];

const metadata = {
  actor: { userId: 'u-admin', role: 'admin' },
  occurredAt: '2026-03-01T10:00:00.000Z',
  correlationId: 'test:upcasting',
  causationId: 'test',
  policyVersion: 'test-1',
};
const recorded = (type: string, data: unknown, schemaVersion?: number): RecordedEvent => ({
  id: '6f1c1c9e-0000-5000-8000-000000000001',
  stream: 'notes-upcasting',
  revision: 0,
  position: { commit: 1n, prepare: 1n },
  type,
  data,
  metadata: (schemaVersion === undefined ? metadata : { ...metadata, schemaVersion }) as RecordedEvent['metadata'],
  recordedAt: '2026-03-01T10:00:00.000Z',
});

registerEventTypes({ UpcastingTestRenamed: V3 }, { version: 3, upcasters: { UpcastingTestRenamed: chain } });

describe('upcasting an event read back', () => {
  it('lifts version 1 through every later version to the current one', () => {
    expect(upcast('T', 1, 3, chain, { name: 'Rania' })).toEqual({ fullName: 'Rania' });
    expect(upcast('T', 2, 3, chain, { fullName: 'Rania' })).toEqual({ fullName: 'Rania' });
    expect(upcast('T', 3, 3, chain, { fullName: 'Rania', alias: 'R' })).toEqual({ fullName: 'Rania', alias: 'R' });
  });

  it('reads an event without a schema version as version 1', () => {
    expect(schemaVersionOf({})).toBe(1);
    expect(schemaVersionOf({ schemaVersion: 2 })).toBe(2);
    const decoded = decode(recorded('UpcastingTestRenamed', { name: 'Rania' }));
    expect(decoded.data).toEqual({ fullName: 'Rania' });
    expect(decoded.metadata.schemaVersion).toBe(3);
  });

  it('refuses a version newer than the code, and data that is not what its version wrote', () => {
    expect(() => decode(recorded('UpcastingTestRenamed', { fullName: 'Rania' }, 4))).toThrow(/newer than this code/);
    expect(() => decode(recorded('UpcastingTestRenamed', { fullName: 'Rania' }, 1))).toThrow(DomainError);
    expect(() => decode(recorded('UpcastingTestRenamed', { name: 'Rania' }, 0))).toThrow(/not a whole number from 1/);
  });

  it('writes only the current version', () => {
    expect(() => validateForWrite('UpcastingTestRenamed', { name: 'Rania' })).toThrow(/EVENT_SCHEMA_INVALID|fullName/);
    expect(validateForWrite('UpcastingTestRenamed', { fullName: 'Rania' })).toEqual({ fullName: 'Rania' });
  });

  it('refuses, when a type is registered, upcasters that leave a version without a way to the current one', () => {
    expect(() => checkUpcasterChain('T', 3, [chain[0] as (typeof chain)[number]])).toThrow(/must lift from 1, 2; they lift from 1/);
    expect(() => checkUpcasterChain('T', 1, [unchangedFrom(1)])).toThrow(/must lift from no version/);
    expect(() => registerEventTypes({ UpcastingTestGap: V3 }, { version: 2 })).toThrow(/UpcastingTestGap v2/);
    expect(() => checkUpcasterChain('T', 3, chain)).not.toThrow();
  });
});
