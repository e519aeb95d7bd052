/**
 * The procurement bench's data, built in a process of its own (`tsx bench/procurement-fixture.ts
 * '<json>'`): an event store of NOC histories, one CSP's accredited offerings and entities whose NOCs
 * were renewed one after another, and every read model the projector keeps from it. Built in the
 * servers' process, the filling and the projection left its heap such that most of what a request
 * allocates survived the young generation (60 to 80 % of it, against 0 to 1 % in a process that did
 * not build them), so every row, the bare route's too, paid 15 to 40 µs of scavenging per response
 * and 8 to 19 ms pauses; in production the projector is another process than the API as well.
 */
import pino from 'pino';
import { join } from 'node:path';
import { z } from 'zod';
import { DATA_CLASSES, type Baseline } from '../domain/shared/vocabulary';
import { eventId, streamName, type EventMetadata } from '../eventstore/envelope';
import type { EventToAppend } from '../eventstore/port';
import { openSqliteEventStore } from '../eventstore/sqlite/sqlite-event-store';
import { allProjections } from '../projections';
import { openReadModelDb } from '../projections/db';
import { ProjectionRunner } from '../projections/runner';
import { fillStoreWithNocEvents, renewedNocChain } from './fixtures';

export const ProcurementFixture = z.object({
  dir: z.string(),
  offerings: z.number().int().positive(),
  nocEvents: z.number().int().positive(),
  /** The instant the renewed chains end at (their last NOC in force). */
  now: z.string(),
  /** Entities whose NOCs were renewed one after another, with how many NOCs each. */
  chains: z.array(z.object({ pseId: z.string(), nocs: z.number().int().positive() })),
  /** The offering the chains' NOCs name. */
  chainOffering: z.string(),
});
export type ProcurementFixture = z.infer<typeof ProcurementFixture>;

export const fixturePaths = (dir: string): { events: string; readModels: string } => ({
  events: join(dir, 'procurement-events.db'),
  readModels: join(dir, 'procurement-read-models.db'),
});

const EPOCH = '2024-01-01T00:00:00.000Z';
const BASELINES: Baseline[] = ['baseline', 'intermediate', 'enhanced', 'highest'];

function meta(at: string, stream: string): EventMetadata {
  return {
    schemaVersion: 1,
    actor: { userId: 'u-bench', name: 'Bench', role: 'director', jurisdiction: 'federal' },
    occurredAt: at,
    correlationId: stream,
    causationId: `bench-${stream}`,
    policyVersion: 'cloud-first-2022',
  };
}

/** One CSP with `offerings` offerings, each accredited; every fifth one is suspended. */
function cspHistory(offerings: number): { stream: string; events: EventToAppend[] }[] {
  const cspStream = streamName('csp', 'csp-bench');
  const cspEvents: EventToAppend[] = [
    {
      id: eventId(cspStream, 0),
      type: 'CspRegistered',
      data: {
        cspId: 'csp-bench',
        name: 'Bench Cloud Pvt Ltd',
        registrationNumber: 'SECP-1',
        contact: { name: 'Bench', email: 'bench@example.pk' },
        registeredBy: 'u-bench',
        registeredAt: EPOCH,
      },
      metadata: meta(EPOCH, cspStream),
    },
  ];
  const histories: { stream: string; events: EventToAppend[] }[] = [{ stream: cspStream, events: cspEvents }];
  for (let i = 0; i < offerings; i++) {
    const offering = {
      offeringId: `off-${i}`,
      name: `Offering ${i}`,
      serviceModels: ['IaaS'],
      deploymentModel: i % 3 === 0 ? 'public' : 'government',
      dataCentres: i % 4 === 0 ? [{ city: 'Dubai', country: 'AE' }] : [{ city: 'Islamabad', country: 'PK' }],
    };
    cspEvents.push({ id: eventId(cspStream, i + 1), type: 'OfferingAdded', data: { ...offering, addedBy: 'u-bench' }, metadata: meta(EPOCH, cspStream) });
    const stream = streamName('accreditation', `app-${i}`);
    const granted = '2024-03-01T00:00:00.000Z';
    const events: EventToAppend[] = [
      {
        id: eventId(stream, 0),
        type: 'AccreditationSubmitted',
        data: {
          applicationId: `app-${i}`,
          cspId: 'csp-bench',
          offering,
          requestedBaseline: 'intermediate',
          evidence: [{ kind: 'iso-27001', reference: 'Bench certificate' }],
          frameworkVersion: '1.0',
          submittedBy: 'u-bench',
          submittedAt: EPOCH,
          policyVersion: 'cloud-first-2022',
        },
        metadata: meta(EPOCH, stream),
      },
      {
        id: eventId(stream, 1),
        type: 'AccreditationGranted',
        data: {
          baseline: BASELINES[i % BASELINES.length],
          highestDataClass: DATA_CLASSES[1 + (i % 4)],
          conditions: i % 2 === 0 ? ['Quarterly report'] : [],
          reasons: 'Criteria met',
          validFrom: granted,
          validUntil: '2027-03-01T00:00:00.000Z',
          frameworkVersion: '1.0',
          summary: { total: 80, complete: true, highestBaselineMet: BASELINES[i % BASELINES.length] },
          decidedBy: 'u-bench',
          decidedByName: 'Bench',
        },
        metadata: meta(granted, stream),
      },
    ];
    if (i % 5 === 0) {
      const at = '2024-09-01T00:00:00.000Z';
      events.push({ id: eventId(stream, 2), type: 'AccreditationSuspended', data: { reasons: 'Breach', suspendedBy: 'u-bench' }, metadata: meta(at, stream) });
    }
    histories.push({ stream, events });
  }
  return histories;
}


async function build(f: ProcurementFixture): Promise<void> {
  const paths = fixturePaths(f.dir);
  const store = await openSqliteEventStore({ path: paths.events, synchronous: 'OFF' });
  const writer = openReadModelDb(paths.readModels);
  try {
    await fillStoreWithNocEvents(store, f.nocEvents);
    for (const h of cspHistory(f.offerings)) await store.append(h.stream, h.events, 'no-stream');
    for (const c of f.chains) {
      for (const h of renewedNocChain(c.pseId, f.chainOffering, c.nocs, f.now)) await store.append(h.stream, h.events, 'no-stream');
    }
    const head = await store.headPosition();
    // Every read model, as the projector keeps them, so the check reads a database of realistic size.
    const runner = new ProjectionRunner({ store, db: writer, projections: allProjections(), logger: pino({ level: 'silent' }) });
    await runner.start();
    await runner.waitFor(head, 0);
    await runner.stop();
  } finally {
    writer.close();
    await store.close();
  }
}

if (require.main === module) {
  build(ProcurementFixture.parse(JSON.parse(process.argv[2] ?? '{}'))).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
