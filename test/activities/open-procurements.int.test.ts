import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { createTransitionActivities } from '../../activities/transition-activities';
import type { OpenProcurement } from '../../domain/compliance/transition-events';
import type { PseCommand } from '../../domain/pse/commands';
import { decidePse } from '../../domain/pse/decide';
import { evolvePse } from '../../domain/pse/evolve';
import type { PseEvent } from '../../domain/pse/events';
import type { PseState } from '../../domain/pse/state';
import type { Actor } from '../../domain/shared/actor';
import { categoryOf, streamName } from '../../eventstore/envelope';
import type { EventStore } from '../../eventstore/port';
import { decode } from '../../eventstore/registry';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { answer } from '../domain/pse-fixtures';
import { pse } from '../support/actors';
import { CaseScript } from '../support/case-script';

const ADMIN: Actor = { userId: 'u-admin', name: 'Admin', role: 'admin', jurisdiction: 'federal' };
const OFFERINGS = ['off-a', 'off-b', 'off-c'];
const AT = '2026-05-01T09:00:00.000Z';

/** The lookup as it was before the category read: every event of the log, filtered to PSE streams. */
async function openProcurementsByWholeLog(store: EventStore, offeringId: string): Promise<OpenProcurement[]> {
  const entries = new Map<string, PseState>();
  const onOffering: { pseId: string; procurementId: string }[] = [];
  for (const recorded of await store.readAll()) {
    if (categoryOf(recorded.stream) !== 'pse') continue;
    const pseId = recorded.stream.slice('pse-'.length);
    const event = { type: recorded.type, data: decode(recorded).data } as PseEvent;
    entries.set(pseId, evolvePse(entries.get(pseId) ?? { status: 'none' }, event));
    if (event.type === 'ProcurementRecorded' && event.data.offeringId === offeringId) onOffering.push({ pseId, procurementId: event.data.procurementId });
  }
  return onOffering.flatMap((p) => {
    const entry = entries.get(p.pseId);
    if (entry === undefined || entry.status === 'none') return [];
    const procurement = entry.procurements[p.procurementId];
    return procurement?.status === 'active' && procurement.offeringId === offeringId ? [{ ...p, jurisdiction: entry.jurisdiction }] : [];
  });
}

/** A store whose whole-log read fails the test: the lookup must not use it. */
function withoutWholeLogReads(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'readAll' || key === 'subscribeToAll') {
        return () => {
          throw new Error('the open-procurement lookup read the whole log');
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

type Step = { kind: 'record'; pse: number; offering: number } | { kind: 'end'; pse: number; nth: number } | { kind: 'noise'; n: number };

const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('record' as const), pse: fc.nat(3), offering: fc.nat(OFFERINGS.length - 1) }),
    fc.record({ kind: fc.constant('end' as const), pse: fc.nat(3), nth: fc.nat(5) }),
    fc.record({ kind: fc.constant('noise' as const), n: fc.integer({ min: 1, max: 3 }) }),
  ),
  { maxLength: 25 },
);

describe('the revocation transition’s lookup of open procurements', () => {
  it('gives the same procurements as a fold of the whole log, for any register history, without reading the whole log', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (plan: Step[]) => {
        const store = await openSqliteEventStore({ path: ':memory:' });
        try {
          const registers = ['pse-moitt', 'pse-pb-lands', 'pse-sindh-health', 'pse-kp-it'].map((pseId, i) => {
            const jurisdiction = (['federal', 'punjab', 'sindh', 'khyber-pakhtunkhwa'] as const)[i]!;
            const script = new CaseScript<PseState, PseCommand, PseEvent>({
              stream: streamName('pse', pseId),
              correlationId: `pse:${pseId}`,
              policyVersion: 'pse-register-1',
              initial: { status: 'none' },
              decide: (command, state, now) => decidePse(command, state, { now }),
              evolve: evolvePse,
            });
            return { pseId, jurisdiction, script, open: [] as string[], next: 0 };
          });
          const run = async (r: (typeof registers)[number], command: PseCommand) => {
            const { stream, expectedRevision, envelopes } = r.script.take(command, AT);
            await store.append(stream, envelopes, expectedRevision < 0 ? 'no-stream' : expectedRevision);
          };
          for (const r of registers) {
            await run(r, { type: 'RegisterPse', actor: ADMIN, data: { pseId: r.pseId, name: r.pseId, ministry: 'Ministry of Tests', jurisdiction: r.jurisdiction } });
          }
          for (const step of plan) {
            if (step.kind === 'noise') {
              // Other cases' events, and a stream whose category only starts like the register's.
              for (let i = 0; i < step.n; i++) {
                const id = randomUUID();
                await store.append(`nocx-${id}`, [{ id, type: 'ContractTested', data: {}, metadata: { schemaVersion: 1, actor: ADMIN, occurredAt: AT, correlationId: 'x', causationId: 'x', policyVersion: 'x' } }], 'no-stream');
              }
              continue;
            }
            const r = registers[step.pse]!;
            const officer = pse(r.pseId, r.jurisdiction);
            if (step.kind === 'record') {
              const procurementId = `p-${(r.next += 1)}`;
              const offeringId = OFFERINGS[step.offering]!;
              const check = answer('allowed', { pseId: r.pseId, offeringId });
              await run(r, { type: 'RecordProcurement', actor: officer, data: { procurementId, offeringId, dataClass: 'public', system: 'Portal', check } });
              r.open.push(procurementId);
            } else if (r.open.length > 0) {
              const [procurementId] = r.open.splice(step.nth % r.open.length, 1);
              await run(r, { type: 'EndProcurement', actor: officer, data: { procurementId: procurementId!, reason: 'Migrated' } });
            }
          }
          const lookup = createTransitionActivities({ eventStore: withoutWholeLogReads(store) });
          for (const offeringId of OFFERINGS) {
            expect(await lookup.openProcurementsOn(offeringId)).toEqual(await openProcurementsByWholeLog(store, offeringId));
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: Number(process.env.FUZZ_MAX_EXAMPLES ?? 25) },
    );
  });

  it('reads the register along the stream index of the SQLite log, not by scanning the events table', async () => {
    const store = await openSqliteEventStore({ path: ':memory:' });
    try {
      const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
      const plan = db.prepare("EXPLAIN QUERY PLAN SELECT * FROM events WHERE stream >= 'pse-' AND stream < 'pse.' ORDER BY global_position ASC").all() as { detail: string }[];
      const details = plan.map((row) => row.detail).join('\n');
      expect(details).toMatch(/SEARCH events USING INDEX/);
      expect(details).not.toMatch(/SCAN events/);
    } finally {
      await store.close();
    }
  });
});
