import { buildDossier } from '../../audit/dossier';
import type { TransitionCommand } from '../../domain/compliance/transition-commands';
import { decideTransition } from '../../domain/compliance/transition-decide';
import type { TransitionEvent } from '../../domain/compliance/transition-events';
import { foldTransition } from '../../domain/compliance/transition-evolve';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { categoryOf } from '../../eventstore/envelope';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import type { RecordedEvent } from '../../eventstore/port';
import { currentVersion, decode, type DecodedEvent } from '../../eventstore/registry';
import type { SqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { allProjections } from '../../projections';
import { dumpModel } from '../../projections/model-dump';
import { memoryDb, project } from '../projections/support';
import { openEventLogFixture } from '../support/event-log-fixture';
import { recordUpgradeLog } from '../support/upgrade-log';

/**
 * The event log the release before version 2 of the transition events wrote (scripts/export-event-log.ts,
 * kept in test/fixtures/event-logs/previous-release.jsonl), read by this release: an office upgraded in
 * place keeps every case.
 */
const CHANGED = new Set(['RevocationTransitionStarted', 'PseTransitionNoticeIssued']);
const ENDING_CAUSE: Record<string, string> = { AccreditationRevoked: 'revoked', AccreditationExpired: 'expired', AccreditationWithdrawn: 'withdrawn' };

let store: SqliteEventStore;
let stored: RecordedEvent[];

beforeAll(async () => {
  store = await openEventLogFixture('previous-release');
  stored = await store.readAll();
});
afterAll(async () => {
  await store.close();
});

const byStream = (events: readonly DecodedEvent[]): Map<string, DecodedEvent[]> => {
  const out = new Map<string, DecodedEvent[]>();
  for (const e of events) out.set(e.stream, [...(out.get(e.stream) ?? []), e]);
  return out;
};

describe('the previous release’s event log', () => {
  it('holds version 1 transition events of every ending, as that release stored them', () => {
    const changed = stored.filter((e) => CHANGED.has(e.type));
    expect(changed.length).toBeGreaterThanOrEqual(8);
    for (const e of changed) expect(e.metadata.schemaVersion).toBe(1);
    const starts = stored.filter((e) => e.type === 'RevocationTransitionStarted').map((e) => e.data as { revokedAt?: string; cause?: string });
    expect(starts.every((d) => typeof d.revokedAt === 'string')).toBe(true);
    // A revocation's start carried no cause in version 1; an expiry's and a withdrawal's did.
    expect(starts.map((d) => d.cause ?? 'absent').sort()).toEqual(['absent', 'expired', 'expired', 'withdrawn']);
  });

  it('reads through the registry as version 2: the ending’s instant as endedAt and always a cause', () => {
    const decoded = stored.map(decode);
    for (const [i, e] of decoded.entries()) {
      const raw = stored[i] as RecordedEvent;
      expect(e.metadata.schemaVersion).toBe(currentVersion(e.type));
      if (e.type === 'RevocationTransitionStarted') {
        const before = raw.data as { revokedAt: string; cause?: string };
        expect(e.data).toEqual({ ...(raw.data as object), revokedAt: undefined, endedAt: before.revokedAt, cause: before.cause ?? 'revoked' });
        expect(e.data).not.toHaveProperty('revokedAt');
      }
      if (e.type === 'PseTransitionNoticeIssued') expect(e.data).toMatchObject({ cause: (raw.data as { cause?: string }).cause ?? 'revoked' });
    }
    // The cause each start reads with is the one its accreditation's stream ended with.
    for (const e of decoded.filter((d) => d.type === 'RevocationTransitionStarted')) {
      const { applicationId, cause } = e.data as { applicationId: string; cause: string };
      const ending = decoded.find((d) => d.stream === `accreditation-${applicationId}` && ENDING_CAUSE[d.type] !== undefined);
      expect(cause).toBe(ENDING_CAUSE[ending?.type ?? '']);
    }
  });

  it('reads exactly as this release writes the same history', () => {
    const written = recordUpgradeLog();
    expect(written.map((e) => [e.id, e.type])).toEqual(stored.map((e) => [e.id, e.type]));
    for (const e of written.filter((w) => CHANGED.has(w.type))) expect(e.metadata.schemaVersion).toBe(2);
    expect(stored.map((e) => decode(e).data)).toEqual(written.map((e) => decode(e).data));
  });

  it('projects into the same read models as the same history written by this release', () => {
    const projections = allProjections();
    const fromFixture = memoryDb(...projections);
    const fromCurrent = memoryDb(...projections);
    project(fromFixture, projections, stored);
    project(fromCurrent, projections, recordUpgradeLog());
    for (const p of projections) expect(dumpModel(fromFixture, p)).toEqual(dumpModel(fromCurrent, p));
    // Not a comparison of two empty models: the migration notices and flags reached them.
    const notices = fromFixture.prepare("SELECT COUNT(*) AS n FROM noc_notifications WHERE event_type = 'PseTransitionNoticeIssued'").get() as { n: number };
    expect(notices.n).toBeGreaterThan(0);
  });

  it('verifies: the hash chains hold over the bytes as stored, which reading never rewrites', async () => {
    const result = await verifyStore(store);
    expect(result.events).toBe(stored.length);
    expect(result.breaks).toEqual([]);
    const again = await store.readAll();
    expect(again.map((e) => e.data)).toEqual(stored.map((e) => e.data));
    expect(again.filter((e) => CHANGED.has(e.type)).every((e) => e.metadata.schemaVersion === 1)).toBe(true);
  });

  it('gives an auditor a transition’s dossier in version 2, its chain intact', async () => {
    const stream = stored.find((e) => e.type === 'RevocationTransitionStarted')?.stream as string;
    const dossier = await buildDossier(store, stream, {}, '2030-01-01T00:00:00.000Z');
    expect(dossier?.verification.intact).toBe(true);
    expect(dossier?.events[0]?.data).toMatchObject({ endedAt: expect.any(String), cause: expect.any(String) });
  });

  it('folds into a transition the decider closes as the previous release did', () => {
    const transitions = [...byStream(stored.map(decode)).entries()].filter(([stream]) => categoryOf(stream) === 'transition');
    expect(transitions).toHaveLength(4);
    for (const [, events] of transitions) {
      const asDomain = events.map((e) => ({ type: e.type, data: e.data }) as TransitionEvent);
      const started = asDomain.filter((e) => e.type === 'RevocationTransitionStarted' || e.type === 'PseTransitionNoticeIssued');
      const state = foldTransition(started);
      if (state.status === 'none') throw new Error('the transition did not start');
      expect(state.endedAt).toBe((started[0]?.data as { endedAt: string }).endedAt);
      const flagged = asDomain.filter((e) => e.type === 'ProcurementFlaggedNonCompliant').map((e) => {
        const { pseId, procurementId, jurisdiction } = e.data as { pseId: string; procurementId: string; jurisdiction: 'federal' };
        return { pseId, procurementId, jurisdiction };
      });
      const close: TransitionCommand = { type: 'CloseRevocationTransition', actor: SYSTEM_ACTOR, data: { stillOpen: flagged } };
      expect(decideTransition(close, state, { now: state.migrateBy })).toEqual(asDomain.slice(started.length));
      expect(foldTransition(asDomain)).toMatchObject({ status: 'ended', cause: state.cause, flagged: flagged.length });
    }
  });
});
