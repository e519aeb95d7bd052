import type { RecordedEvent } from '../../eventstore/port';
import { write, type Plan } from '../projections/model-histories';
import { TestLog } from '../projections/support';

/**
 * The history kept as the previous release's event log (test/fixtures/event-logs/): three offerings whose
 * accreditations end each way a migration period starts — off-0 is revoked after a suspension and a
 * reinstatement, off-1 expires (twice, the second grant renewed once), off-2 is withdrawn — with the
 * entities' procurements on them (some ended before the deadline, some still open and flagged) and NOCs
 * approved, extended, revoked, withdrawn and expired. Written through the real deciders and the worker's
 * envelope code, so the log holds what that release's worker wrote.
 */
export const UPGRADE_PLAN: Plan = {
  accreditations: [
    [{ grantDay: 10, validDays: 300, highest: 'restricted', baseline: 'intermediate', ops: [{ kind: 'suspend', gap: 20 }, { kind: 'reinstate', gap: 10 }, { kind: 'revoke', gap: 40 }], migrationDays: 60 }],
    [
      { grantDay: 5, validDays: 120, highest: 'public', baseline: 'baseline', ops: [], migrationDays: 30 },
      { grantDay: 20, validDays: 200, highest: 'restricted', baseline: 'intermediate', ops: [{ kind: 'renew', gap: 50 }], migrationDays: 45 },
    ],
    [{ grantDay: 15, validDays: 250, highest: 'confidential', baseline: 'enhanced', ops: [{ kind: 'withdraw', gap: 40 }], migrationDays: 90 }],
  ],
  nocs: [
    { pse: 1, offering: 0, requestDay: 100, months: 3, dataClass: 'public', extension: { after: 30, months: 2, approve: true }, end: { how: 'expire', after: 1 } },
    { pse: 0, offering: 2, requestDay: 80, months: 6, dataClass: 'restricted', end: { how: 'revoke', after: 20 } },
    { pse: 1, offering: 1, requestDay: 200, months: 2, dataClass: 'public', extension: { after: 10, months: 1, approve: false }, end: { how: 'withdraw', after: 5 } },
  ],
  procurements: [
    { pse: 0, offering: 0, day: 30, dataClass: 'public' },
    { pse: 1, offering: 0, day: 35, dataClass: 'public', lasts: 60 },
    { pse: 1, offering: 1, day: 20, dataClass: 'public' },
    { pse: 0, offering: 2, day: 25, dataClass: 'public', lasts: 200 },
    { pse: 1, offering: 2, day: 40, dataClass: 'public' },
    { pse: 0, offering: 1, day: 160, dataClass: 'public', lasts: 30 },
  ],
  instants: [{ day: 0, hour: 0 }],
  eventInstants: [],
};

/** The plan's history, in log order, as the current code writes it. */
export function recordUpgradeLog(): RecordedEvent[] {
  const log = new TestLog();
  write(UPGRADE_PLAN, log);
  return log.events;
}
