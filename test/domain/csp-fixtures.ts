import type { Actor } from '../../domain/shared/actor';
import { CspEventSchemas, type CspEvent, type CspEventOf, type Offering, type Organisation } from '../../domain/csp/events';
import type { CspCommandOf } from '../../domain/csp/commands';
import { decideCsp, type CspDecideContext } from '../../domain/csp/decide';
import { foldCsp } from '../../domain/csp/evolve';
import type { CspState } from '../../domain/csp/state';
import type { CspCommand } from '../../domain/csp/commands';
import { deciderSpec } from './given-when-then';
import { actors } from './noc-fixtures';

export const NOW = '2025-03-03T09:00:00.000Z';
export const at = (now: string = NOW): CspDecideContext => ({ now });

export const CSP_ID = 'csp-nimbus';

export const cspActors = {
  ...actors,
  /** A second representative of the same CSP as actors.csp. */
  cspColleague: { ...actors.csp, userId: 'u-csp-2', name: 'Person u-csp-2' } as Actor,
  otherCsp: { ...actors.csp, userId: 'u-other-csp', name: 'Person u-other-csp', organisationId: 'csp-other' } as Actor,
};

export const ORGANISATION: Organisation = {
  name: 'Nimbus Cloud (Pvt) Ltd',
  registrationNumber: '0123456',
  contact: { name: 'Ayesha Khan', email: 'compliance@nimbus.example.pk', phone: '+92 51 1234567' },
};

export const GOV_CLOUD: Offering = {
  offeringId: 'off-gov',
  name: 'Nimbus Government Cloud',
  serviceModels: ['IaaS', 'PaaS'],
  deploymentModel: 'government',
  dataCentres: [
    { city: 'Islamabad', country: 'PK' },
    { city: 'Karachi', country: 'PK' },
  ],
};

export const PUBLIC_SAAS: Offering = {
  offeringId: 'off-mail',
  name: 'Nimbus Mail',
  serviceModels: ['SaaS'],
  deploymentModel: 'public',
  dataCentres: [
    { city: 'Lahore', country: 'PK' },
    { city: 'Dubai', country: 'AE' },
  ],
};

export const cspEv = {
  registered: (by: Actor = cspActors.admin): CspEventOf<'CspRegistered'> => ({
    type: 'CspRegistered',
    data: { ...ORGANISATION, cspId: CSP_ID, registeredBy: by.userId, registeredAt: NOW },
  }),
  offeringAdded: (offering: Offering = GOV_CLOUD, by: Actor = cspActors.csp): CspEventOf<'OfferingAdded'> => ({
    type: 'OfferingAdded',
    data: { ...offering, addedBy: by.userId },
  }),
  offeringRetired: (offeringId = GOV_CLOUD.offeringId, by: Actor = cspActors.csp): CspEventOf<'OfferingRetired'> => ({
    type: 'OfferingRetired',
    data: { offeringId, reason: 'Superseded by a new region', retiredBy: by.userId },
  }),
};

export const cspHistory = {
  registered: [cspEv.registered()] as CspEvent[],
  withOffering: [cspEv.registered(), cspEv.offeringAdded()] as CspEvent[],
  withRetiredOffering: [cspEv.registered(), cspEv.offeringAdded(), cspEv.offeringRetired()] as CspEvent[],
};

export const cspCmd = {
  register: (actor: Actor, cspId = CSP_ID): CspCommandOf<'RegisterCsp'> => ({ type: 'RegisterCsp', actor, data: { ...ORGANISATION, cspId } }),
  addOffering: (actor: Actor, offering: Offering = GOV_CLOUD): CspCommandOf<'AddOffering'> => ({ type: 'AddOffering', actor, data: offering }),
  updateOffering: (actor: Actor, changes: Omit<CspCommandOf<'UpdateOffering'>['data'], 'offeringId'>, offeringId = GOV_CLOUD.offeringId): CspCommandOf<'UpdateOffering'> => ({
    type: 'UpdateOffering',
    actor,
    data: { offeringId, ...changes },
  }),
  retireOffering: (actor: Actor, offeringId = GOV_CLOUD.offeringId): CspCommandOf<'RetireOffering'> => ({
    type: 'RetireOffering',
    actor,
    data: { offeringId, reason: 'Superseded by a new region' },
  }),
};

export function validateCspEvent(event: CspEvent): void {
  expect(CspEventSchemas[event.type].parse(event.data)).toEqual(event.data);
}

export const givenCsp = deciderSpec<CspState, CspCommand, CspEvent, CspDecideContext>({
  decide: decideCsp,
  fold: foldCsp,
  validate: validateCspEvent,
});
