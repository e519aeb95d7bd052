import { isKnownEventType, validateForWrite } from '../../eventstore/registry';
import { ACCREDITATION_EVENT_TYPES } from '../../domain/accreditation/events';
import { CSP_EVENT_TYPES } from '../../domain/csp/events';
import { ev, h } from './accreditation-fixtures';
import { cspHistory } from './csp-fixtures';

describe('the accreditation and CSP events in the event registry', () => {
  it('are all registered, so the store accepts and decodes them', () => {
    for (const type of [...ACCREDITATION_EVENT_TYPES, ...CSP_EVENT_TYPES]) expect(isKnownEventType(type)).toBe(true);
  });

  it('validate for writing exactly as the deciders emit them', () => {
    const events = [...h.renewalOpen, ev.renewed(), ev.suspended(), ev.reinstated(), ev.revoked(), ev.lapsed(), ev.rejected(), ev.expired(), ev.withdrawn('accredited'), ev.informationProvided()];
    for (const event of [...events, ...cspHistory.withRetiredOffering]) {
      expect(validateForWrite(event.type, event.data)).toEqual(event.data);
    }
  });

  it('are refused by the store when malformed', () => {
    expect(() => validateForWrite('AccreditationGranted', { ...ev.granted().data, highestDataClass: 'top-secret' })).toThrow(/AccreditationGranted/);
    expect(() => validateForWrite('OfferingAdded', { offeringId: 'x' })).toThrow(/OfferingAdded/);
  });
});
