import { hostingRuleFor } from '../../domain/procurement/hosting-rules';
import { reason, type ProcurementAnswer } from '../../domain/procurement/answer';
import type { PseCommandOf } from '../../domain/pse/commands';
import { decidePse, type PseDecideContext } from '../../domain/pse/decide';
import { PseEventSchemas, type PseEvent } from '../../domain/pse/events';
import { foldPse } from '../../domain/pse/evolve';
import type { PseState } from '../../domain/pse/state';
import type { PseCommand } from '../../domain/pse/commands';
import type { Actor } from '../../domain/shared/actor';
import type { DataClass } from '../../domain/shared/vocabulary';
import { deciderSpec } from './given-when-then';
import { actors } from './noc-fixtures';

export const NOW = '2025-03-03T09:00:00.000Z';
export const LATER = '2025-04-01T09:00:00.000Z';
export const at = (now: string = NOW): PseDecideContext => ({ now });

/** actors.pse acts for this entity. */
export const PSE_ID = 'pse-moitt';
export const PSE = { name: 'Ministry of IT and Telecom', ministry: 'Ministry of IT and Telecom', jurisdiction: 'federal' as const };

/** A procurement check's answer, as the API would compute it. */
export function answer(decision: ProcurementAnswer['decision'], o: { offeringId?: string; dataClass?: DataClass; pseId?: string } = {}): ProcurementAnswer {
  const dataClass = o.dataClass ?? 'public';
  const reasons =
    decision === 'denied'
      ? [reason('HOSTING_RULE_NOT_MET', 'not met'), reason('OFFERING_NOT_ACCREDITED', 'not accredited'), reason('NO_NOC_COVERS', 'no NOC')]
      : decision === 'allowed-by-noc'
        ? [reason('HOSTING_RULE_NOT_MET', 'not met'), reason('NOC_COVERS', 'covered', 'noc-1')]
        : [reason('HOSTING_RULE_MET', 'met'), reason('CSP_REGISTERED', 'registered')];
  const a: ProcurementAnswer = {
    decision,
    query: { pseId: o.pseId ?? PSE_ID, offeringId: o.offeringId ?? 'off-gov', dataClass },
    rule: hostingRuleFor(dataClass),
    reasons,
    evaluatedAt: NOW,
  };
  if (decision === 'allowed-by-noc') a.noc = { nocId: 'noc-1', validUntil: '2026-03-01T00:00:00.000Z' };
  return a;
}

export const pseCmd = {
  register: (actor: Actor = actors.admin, pseId = PSE_ID): PseCommandOf<'RegisterPse'> => ({ type: 'RegisterPse', actor, data: { pseId, ...PSE } }),
  record: (actor: Actor, check: ProcurementAnswer, procurementId = 'proc-1'): PseCommandOf<'RecordProcurement'> => ({
    type: 'RecordProcurement',
    actor,
    data: { procurementId, offeringId: check.query.offeringId, dataClass: check.query.dataClass, system: 'e-Office', check },
  }),
  end: (actor: Actor, procurementId = 'proc-1'): PseCommandOf<'EndProcurement'> => ({
    type: 'EndProcurement',
    actor,
    data: { procurementId, reason: 'Moved to another offering' },
  }),
};

export const pseEv = {
  registered: (): PseEvent => ({ type: 'PseRegistered', data: { pseId: PSE_ID, ...PSE, registeredBy: 'u-admin', registeredAt: NOW } }),
  recorded: (procurementId = 'proc-1'): PseEvent => ({
    type: 'ProcurementRecorded',
    data: {
      procurementId,
      offeringId: 'off-gov',
      dataClass: 'public',
      system: 'e-Office',
      check: { decision: 'allowed', reasons: ['HOSTING_RULE_MET', 'CSP_REGISTERED'], evaluatedAt: NOW },
      recordedBy: 'u-pse',
      recordedAt: NOW,
    },
  }),
};

export const givenPse = deciderSpec<PseState, PseCommand, PseEvent, PseDecideContext>({
  decide: decidePse,
  fold: foldPse,
  validate: (event) => expect(PseEventSchemas[event.type].parse(event.data)).toEqual(event.data),
});
