import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { loadConfig } from '../config/config';
import type { AccreditationEvent } from '../domain/accreditation/events';
import { evolveAccreditation } from '../domain/accreditation/evolve';
import { ACCREDITATION_HELD, initialAccreditationState, type AccreditationState } from '../domain/accreditation/state';
import { createEventStore } from '../eventstore';
import { categoryOf } from '../eventstore/envelope';
import type { EventStore } from '../eventstore/port';
import { readLogPages } from '../eventstore/read-log';
import { decode } from '../eventstore/registry';
import { accreditationStandingSignal, cspWorkflowId } from '../workflows/csp/messages';

export interface HeldApplication {
  applicationId: string;
  cspId: string;
  offeringId: string;
}

/** Every application whose offering holds its accreditation now (accredited or suspended), from the log itself. */
export async function heldApplications(store: Pick<EventStore, 'readAll'>): Promise<HeldApplication[]> {
  const applications = new Map<string, AccreditationState>();
  for await (const page of readLogPages(store, { pageSize: 1000 })) {
    for (const recorded of page) {
      if (categoryOf(recorded.stream) !== 'accreditation') continue;
      const applicationId = recorded.stream.slice('accreditation-'.length);
      const event = { type: recorded.type, data: decode(recorded).data } as AccreditationEvent;
      applications.set(applicationId, evolveAccreditation(applications.get(applicationId) ?? initialAccreditationState, event));
    }
  }
  return [...applications.entries()].flatMap(([applicationId, state]) =>
    state.status !== 'none' && ACCREDITATION_HELD.includes(state.status)
      ? [{ applicationId, cspId: state.application.cspId, offeringId: state.application.offering.offeringId }]
      : [],
  );
}

/**
 * Tells each provider's register about every accreditation its offerings hold, so that offerings
 * accredited before the register tracked accreditations are locked like the rest (their deployment
 * model and data centres then change only through an approved significant change). The message names
 * the application only; the register reads its standing from the stream, so sending it again, or for an
 * application that is no longer held, is harmless. Answers the applications whose register was not found.
 */
export async function reconcileOfferings(
  store: Pick<EventStore, 'readAll'>,
  tell: (held: HeldApplication) => Promise<void>,
): Promise<{ told: HeldApplication[]; noRegister: HeldApplication[] }> {
  const told: HeldApplication[] = [];
  const noRegister: HeldApplication[] = [];
  for (const held of await heldApplications(store)) {
    try {
      await tell(held);
      told.push(held);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      noRegister.push(held);
    }
  }
  return { told, noRegister };
}

/** `npm run offerings:reconcile`: run once after upgrading to the release that locks accredited offerings. */
async function main(): Promise<void> {
  const config = loadConfig();
  const store = await createEventStore(config.eventStore);
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const { told, noRegister } = await reconcileOfferings(store, ({ cspId, applicationId }) =>
      client.workflow.getHandle(cspWorkflowId(cspId)).signal(accreditationStandingSignal, { applicationId }),
    );
    for (const h of told) process.stdout.write(`told csp ${h.cspId}: offering ${h.offeringId} holds accreditation ${h.applicationId}\n`);
    for (const h of noRegister) process.stdout.write(`no register process for csp ${h.cspId} (offering ${h.offeringId}, accreditation ${h.applicationId})\n`);
  } finally {
    await connection.close();
    await store.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`offerings:reconcile failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
