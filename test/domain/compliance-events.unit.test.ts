import { isKnownEventType, validateForWrite } from '../../eventstore/registry';
import { streamName } from '../../eventstore/envelope';
import { MONITORING_EVENT_TYPES } from '../../domain/compliance/monitoring-events';
import { REVIEW_EVENT_TYPES } from '../../domain/compliance/review-events';
import { CHANGE_EVENT_TYPES } from '../../domain/compliance/change-events';
import { HIGH, M, R, mev, rev, review } from './compliance-fixtures';

describe('the compliance events in the event registry', () => {
  it('are all registered, so the store accepts and decodes them', () => {
    for (const type of [...MONITORING_EVENT_TYPES, ...REVIEW_EVENT_TYPES, ...CHANGE_EVENT_TYPES]) expect(isKnownEventType(type)).toBe(true);
  });

  it('validate for writing exactly as the deciders emit them', () => {
    const events = [
      mev.started(),
      mev.submitted('2025-02', M.marchFirst),
      mev.missed('2025-03', M.marchDue),
      ...review.suspended,
      rev.extended(R.highDue, '2026-04-15T09:00:00.000Z', HIGH.id, false),
      rev.extended(R.evidenceDue, '2026-03-01T09:00:00.000Z'),
    ];
    for (const event of events) expect(validateForWrite(event.type, event.data)).toEqual(event.data);
  });

  it('are refused by the store when malformed', () => {
    expect(() => validateForWrite('MonthlyReportSubmitted', { ...mev.submitted('2025-02', M.marchFirst).data, period: '2025-13' })).toThrow(/MonthlyReportSubmitted/);
    expect(() => validateForWrite('ReviewAssessed', { ...rev.assessed([HIGH]).data, findings: [{ ...HIGH, severity: 'critical', deadline: R.highDue }] })).toThrow(/ReviewAssessed/);
  });

  it('live in monitoring-, review- and change- streams', () => {
    expect([streamName('monitoring', 'APP-1'), streamName('review', 'REV-1'), streamName('change', 'CHG-1')]).toEqual(['monitoring-APP-1', 'review-REV-1', 'change-CHG-1']);
  });
});
