import { adoptionProjection } from './adoption/adoption';
import { accreditedListProjection } from './accreditation/accredited-list';
import { accreditationQueueProjection } from './accreditation/queue';
import { complianceProjection } from './compliance/compliance';
import { nocNotificationsProjection } from './noc/notifications';
import { noticesProjection } from './notices/notices';
import { nocQueueProjection } from './noc/queue';
import { nocRegisterProjection } from './noc/register';
import { procurementFactsProjection } from './procurement/facts';
import { evidenceReferencesProjection } from './evidence/references';
import type { Projection } from './projection';

export type { Projection } from './projection';
export { ProjectionRunner, ProjectionFailedError, type ProjectionStatus, type RunnerHealth } from './runner';
export { openReadModelDb, type ReadModelDb } from './db';
export { readCheckpoints, type CheckpointRow } from './checkpoints';
export { createNocQueries } from './noc/queries';
export { createAccreditedListQueries, type AccreditedListQueries } from './accreditation/queries';
export { createAccreditationQueueQueries, type AccreditationQueueQueries } from './accreditation/queue';
export { createAdoptionQueries, type AdoptionQueries, type AdoptionFigures } from './adoption/queries';
export { procurementCheck, createPublicQueries, type PublicQueries } from './procurement/queries';
export { createComplianceQueries, type ComplianceQueries } from './compliance/queries';

/** Every read model the projector maintains. */
export function allProjections(): Projection[] {
  return [nocRegisterProjection, nocQueueProjection, nocNotificationsProjection, accreditedListProjection, procurementFactsProjection, adoptionProjection, accreditationQueueProjection, complianceProjection, noticesProjection, evidenceReferencesProjection];
}
