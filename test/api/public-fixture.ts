import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../config/config';
import { composeOffice } from '../../server/compose';
import type { Identity } from '../../identity';
import { createTestIdentity } from '../support/identity';
import { accreditedListProjection } from '../../projections/accreditation/accredited-list';
import type { ReadModelDb } from '../../projections/db';
import { procurementFactsProjection } from '../../projections/procurement/facts';
import { createPublicQueries } from '../../projections/procurement/queries';
import { adoptionProjection } from '../../projections/adoption/adoption';
import { createAdoptionQueries } from '../../projections/adoption/queries';
import { nocRegisterProjection } from '../../projections/noc/register';
import { director, pse, reviewer } from '../support/actors';
import { GOV_CLOUD, PUBLIC_CLOUD, addOffering, application, registerCsp } from '../projections/accredited-fixtures';
import { TestLog, memoryDb, project } from '../projections/support';
import { FakeEventStore, officeWithFakes } from './fakes';

/**
 * A public read side with a known history, served by the real API:
 *   off-gov  Sovereign Gov Cloud  granted 2025-02-03 (intermediate, restricted), suspended 2025-06-01,
 *            reinstated 2025-07-01
 *   off-pub  Global Public Cloud  granted 2025-02-03 (baseline, public) with a condition, revoked 2025-08-01
 *   off-new  Sovereign Gov Cloud 2  never accredited; pse-moitt holds NOC-1 for it (public data),
 *            approved 2025-03-04, valid until 2025-09-04T09:00Z, and has asked for NOC-2 (restricted
 *            data), still pending
 */
export const HISTORY = {
  granted: '2025-02-03T10:00:00.000Z',
  suspended: '2025-06-01T08:00:00.000Z',
  reinstated: '2025-07-01T08:00:00.000Z',
  revoked: '2025-08-01T08:00:00.000Z',
  nocValidUntil: '2025-09-04T09:00:00.000Z',
} as const;

export function publicHistory(): ReadModelDb {
  const t0 = '2025-01-06T09:00:00.000Z';
  const db = memoryDb(accreditedListProjection, procurementFactsProjection, nocRegisterProjection, adoptionProjection);
  const log = new TestLog();
  registerCsp(log, 'csp-one', 'One Cloud, "Pvt" Ltd', t0);
  addOffering(log, 'csp-one', GOV_CLOUD, t0);
  addOffering(log, 'csp-one', PUBLIC_CLOUD, t0);
  addOffering(log, 'csp-one', { ...GOV_CLOUD, offeringId: 'off-new', name: 'Sovereign Gov Cloud 2' }, t0);
  application(log, 'app-1')
    .submit('csp-one', GOV_CLOUD, t0)
    .grant({ baseline: 'intermediate', highestDataClass: 'restricted', validFrom: HISTORY.granted, validUntil: '2028-02-03T10:00:00.000Z' }, HISTORY.granted)
    .suspend('Breach <under> investigation', HISTORY.suspended)
    .reinstate('Breach remediated', HISTORY.reinstated);
  application(log, 'app-2')
    .submit('csp-one', PUBLIC_CLOUD, t0)
    .grant(
      {
        baseline: 'baseline',
        highestDataClass: 'public',
        validFrom: HISTORY.granted,
        validUntil: '2028-02-03T10:00:00.000Z',
        conditions: ['=Report quarterly'],
      },
      HISTORY.granted,
    )
    .revoke('Data found abroad', '2025-12-01T00:00:00.000Z', HISTORY.revoked);
  const noc = log.nocCase({ nocId: 'NOC-1', deviation: 'non-accredited-offering', offeringId: 'off-new', dataClass: 'public' }, pse(), '2025-03-01T09:00:00.000Z');
  noc.later(1).act('StartReview', reviewer, {});
  noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Migration under way', conditions: [] });
  noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'As recommended' });
  // NOC-2: requested by the same entity for the same offering and still pending.
  log.nocCase({ nocId: 'NOC-2', deviation: 'non-accredited-offering', offeringId: 'off-new', dataClass: 'restricted' }, pse(), '2025-04-01T09:00:00.000Z');
  project(db, [accreditedListProjection, procurementFactsProjection, nocRegisterProjection, adoptionProjection], log.events);
  return db;
}

/**
 * The office (API and UI) over that history; `withPublic: false` builds it without the public read
 * models; `env` is the configuration's environment (PUBLIC_URL, …).
 */
export async function startPublicApi(
  options: { withPublic?: boolean; env?: Record<string, string> } = {},
): Promise<{ app: FastifyInstance; identity: Identity; close(): Promise<void> }> {
  const db = publicHistory();
  const identity = await createTestIdentity();
  const config = loadConfig(options.env ?? {});
  const app = composeOffice(
    officeWithFakes(
      { dataDir: config.dataDir, identity, eventStore: new FakeEventStore() },
      { config, ...(options.withPublic === false ? {} : { publicQueries: createPublicQueries(db), adoptionQueries: createAdoptionQueries(db) }) },
    ),
  );
  await app.ready();
  return {
    app,
    identity,
    close: async () => {
      await app.close();
      identity.close();
      db.close();
    },
  };
}
