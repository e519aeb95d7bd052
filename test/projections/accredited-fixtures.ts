import type { AccreditationEventOf, AccreditationEventType } from '../../domain/accreditation/events';
import type { CspEventOf, CspEventType, Offering } from '../../domain/csp/events';
import { SYSTEM_ACTOR, type Actor } from '../../domain/shared/actor';
import type { Baseline, DataClass } from '../../domain/shared/vocabulary';
import { eventId, streamName } from '../../eventstore/envelope';
import type { RecordedEvent } from '../../eventstore/port';
import { director, reviewer } from '../support/actors';
import type { TestLog } from './support';

/**
 * CSP and accreditation histories written straight into a test log: the public read models are fed
 * events, not workflows. The registry validates every event's data when the projections decode it,
 * so a fixture that drifts from the event schemas fails loudly.
 */
export const cspRep: Actor = { userId: 'u-csp', name: 'Chaudhry CSP', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-one' };
export const registrar: Actor = { userId: 'u-reg', name: 'Rashid Registrar', role: 'reviewer', jurisdiction: 'federal' };

export const GOV_CLOUD: Offering = {
  offeringId: 'off-gov',
  name: 'Sovereign Gov Cloud',
  serviceModels: ['IaaS', 'PaaS'],
  deploymentModel: 'government',
  dataCentres: [
    { city: 'Islamabad', country: 'PK' },
    { city: 'Karachi', country: 'PK' },
  ],
};

export const PUBLIC_CLOUD: Offering = {
  offeringId: 'off-pub',
  name: 'Global Public Cloud',
  serviceModels: ['SaaS'],
  deploymentModel: 'public',
  dataCentres: [{ city: 'Dubai', country: 'AE' }],
};

const streams = new WeakMap<TestLog, Map<string, number>>();

function append(log: TestLog, stream: string, type: string, data: unknown, actor: Actor, at: string): RecordedEvent {
  let revisions = streams.get(log);
  if (!revisions) {
    revisions = new Map();
    streams.set(log, revisions);
  }
  const revision = (revisions.get(stream) ?? -1) + 1;
  revisions.set(stream, revision);
  return log.record({
    id: eventId(stream, revision),
    stream,
    revision,
    type,
    data,
    metadata: {
      schemaVersion: 1,
      actor: { userId: actor.userId, name: actor.name, role: actor.role, jurisdiction: actor.jurisdiction },
      occurredAt: at,
      correlationId: stream,
      causationId: `${type}-${revision}`,
      policyVersion: 'cloud-first-2022',
    },
  });
}

export function cspEvent<K extends CspEventType>(log: TestLog, cspId: string, type: K, data: CspEventOf<K>['data'], at: string): RecordedEvent {
  return append(log, streamName('csp', cspId), type, data, cspRep, at);
}

export function registerCsp(log: TestLog, cspId: string, name: string, at: string): RecordedEvent {
  return cspEvent(
    log,
    cspId,
    'CspRegistered',
    {
      cspId,
      name,
      registrationNumber: `SECP-${cspId}`,
      contact: { name: 'Contact Person', email: 'contact@example.pk' },
      registeredBy: registrar.userId,
      registeredAt: at,
    },
    at,
  );
}

export function addOffering(log: TestLog, cspId: string, offering: Offering, at: string): RecordedEvent {
  return cspEvent(log, cspId, 'OfferingAdded', { ...offering, addedBy: cspRep.userId }, at);
}

export interface GrantTerms {
  baseline: Baseline;
  highestDataClass: DataClass;
  validFrom: string;
  validUntil: string;
  conditions?: string[];
}

/** One accreditation application's public milestones. */
export class ApplicationScript {
  constructor(
    private readonly log: TestLog,
    readonly applicationId: string,
  ) {}

  private event<K extends AccreditationEventType>(type: K, data: AccreditationEventOf<K>['data'], actor: Actor, at: string): RecordedEvent {
    return append(this.log, streamName('accreditation', this.applicationId), type, data, actor, at);
  }

  submit(cspId: string, offering: Offering, at: string): this {
    this.event(
      'AccreditationSubmitted',
      {
        applicationId: this.applicationId,
        cspId,
        offering,
        requestedBaseline: 'intermediate',
        evidence: [{ kind: 'iso-27001', reference: 'ISO/IEC 27001 certificate IS 712345' }],
        frameworkVersion: '1.0',
        submittedBy: cspRep.userId,
        submittedAt: at,
        policyVersion: 'cloud-first-2022',
      },
      cspRep,
      at,
    );
    return this;
  }

  grant(terms: GrantTerms, at: string): this {
    this.event(
      'AccreditationGranted',
      {
        baseline: terms.baseline,
        highestDataClass: terms.highestDataClass,
        conditions: terms.conditions ?? [],
        reasons: 'Every criterion met at the baseline',
        validFrom: terms.validFrom,
        validUntil: terms.validUntil,
        frameworkVersion: '1.0',
        summary: { total: 82, complete: true, highestBaselineMet: terms.baseline },
        decidedBy: director.userId,
        decidedByName: director.name,
      },
      director,
      at,
    );
    return this;
  }

  suspend(reasons: string, at: string): this {
    this.event('AccreditationSuspended', { reasons, suspendedBy: director.userId }, director, at);
    return this;
  }

  reinstate(reasons: string, at: string): this {
    this.event('AccreditationReinstated', { reasons, reinstatedBy: director.userId }, director, at);
    return this;
  }

  revoke(reasons: string, transitionUntil: string, at: string): this {
    this.event('AccreditationRevoked', { reasons, transitionUntil, revokedBy: director.userId }, director, at);
    return this;
  }

  renew(previousValidUntil: string, validUntil: string, at: string): this {
    this.event('AccreditationRenewed', { previousValidUntil, validUntil, reasons: 'Evidence renewed', renewedBy: director.userId }, director, at);
    return this;
  }

  /** `transitionUntil`: the migration period's end, as events carry it since expiry gave one. */
  expire(validUntil: string, transitionUntil?: string): this {
    this.event('AccreditationExpired', { validUntil, ...(transitionUntil ? { transitionUntil } : {}) }, SYSTEM_ACTOR, validUntil);
    return this;
  }

  withdraw(reason: string, previousStatus: string, at: string, transitionUntil?: string): this {
    this.event('AccreditationWithdrawn', { reason, withdrawnBy: cspRep.userId, previousStatus, ...(transitionUntil ? { transitionUntil } : {}) }, cspRep, at);
    return this;
  }

  screen(at: string): this {
    this.event('AccreditationScreeningStarted', { reviewerId: reviewer.userId, reviewerName: reviewer.name }, reviewer, at);
    return this;
  }
}

export function application(log: TestLog, applicationId: string): ApplicationScript {
  return new ApplicationScript(log, applicationId);
}
