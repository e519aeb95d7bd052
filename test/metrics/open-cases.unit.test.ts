import { registerOpenCases } from '../../metrics/open-cases';
import { createProcessRegistry } from '../../metrics/registry';
import { openReadModelDb } from '../../projections/db';
import { nocRegisterProjection } from '../../projections/noc/register';
import { pse } from '../support/actors';
import { parseExposition, findSamples, valueOf } from '../support/prometheus';
import { TestLog, memoryDb, project } from '../projections/support';
import { accreditationQueueProjection } from '../../projections/accreditation/queue';
import { GOV_CLOUD, PUBLIC_CLOUD, application } from '../projections/accredited-fixtures';
import { complianceProjection } from '../../projections/compliance/compliance';
import { changeEvent, cspRep, reviewEvent } from '../projections/compliance-fixtures';
import { director, reviewer } from '../support/actors';

const SUBJECT = { applicationId: 'app-1', offeringId: 'off-gov', cspId: 'csp-one' };
const OPENED = '2025-05-16T00:00:00.000Z';
const CHANGE = { ...SUBJECT, kind: 'data-centre-location', description: 'Move to Lahore', plannedFor: '2025-09-10T00:00:00.000Z' } as const;

describe('the open cases gauge', () => {
  it('counts NOCs not closed yet by status and jurisdiction, from the NOC register at scrape time', async () => {
    const db = memoryDb(nocRegisterProjection);
    const registry = createProcessRegistry('projector', { defaults: false });
    registerOpenCases(registry, db);
    const log = new TestLog();
    const federal = pse('pse-moitt', 'federal', 'u-fed');
    log.nocCase({ nocId: 'N1' }, federal, '2026-01-01T00:00:00.000Z');
    log.nocCase({ nocId: 'N2' }, federal, '2026-01-02T00:00:00.000Z');
    log.nocCase({ nocId: 'N3' }, pse('pse-punjab-it', 'punjab', 'u-pun'), '2026-01-03T00:00:00.000Z');
    log.nocCase({ nocId: 'N4' }, federal, '2026-01-04T00:00:00.000Z').act('Withdraw', federal, { reason: 'No longer needed' });
    project(db, [nocRegisterProjection], log.events);

    const samples = parseExposition(await registry.metrics());
    expect(valueOf(samples, 'cloud_office_open_cases', { kind: 'noc', status: 'requested', jurisdiction: 'federal' })).toBe(2);
    expect(valueOf(samples, 'cloud_office_open_cases', { kind: 'noc', status: 'requested', jurisdiction: 'punjab' })).toBe(1);
    expect(findSamples(samples, 'cloud_office_open_cases', { status: 'withdrawn' })).toEqual([]);
  });

  it('counts accreditation applications not closed yet by status, under the federal jurisdiction', async () => {
    const db = memoryDb(accreditationQueueProjection);
    const registry = createProcessRegistry('projector', { defaults: false });
    registerOpenCases(registry, db);
    const log = new TestLog();
    application(log, 'A1').submit('csp-1', GOV_CLOUD, '2026-01-05T09:00:00.000Z');
    application(log, 'A2').submit('csp-1', PUBLIC_CLOUD, '2026-01-05T10:00:00.000Z').screen('2026-01-06T09:00:00.000Z');
    application(log, 'A3').submit('csp-2', GOV_CLOUD, '2026-01-05T11:00:00.000Z').withdraw('Not ready', 'submitted', '2026-01-06T10:00:00.000Z');
    project(db, [accreditationQueueProjection], log.events);

    const samples = parseExposition(await registry.metrics());
    expect(valueOf(samples, 'cloud_office_open_cases', { kind: 'accreditation', status: 'submitted', jurisdiction: 'federal' })).toBe(1);
    expect(valueOf(samples, 'cloud_office_open_cases', { kind: 'accreditation', status: 'screening', jurisdiction: 'federal' })).toBe(1);
    expect(findSamples(samples, 'cloud_office_open_cases', { kind: 'accreditation' })).toHaveLength(2);
  });

  it('counts compliance reviews not closed yet by the status of their folded state, under the federal jurisdiction', async () => {
    const db = memoryDb(complianceProjection);
    const registry = createProcessRegistry('projector', { defaults: false });
    registerOpenCases(registry, db);
    const log = new TestLog();
    const open = (reviewId: string) =>
      reviewEvent(log, reviewId, 'ReviewOpened', { ...SUBJECT, reviewId, trigger: 'incident', description: 'Outage', openedBy: reviewer.userId, openedAt: OPENED }, reviewer, OPENED);
    open('rev-1');
    open('rev-2');
    reviewEvent(log, 'rev-2', 'ReviewEvidenceRequested', { request: 'Logs', dueBy: '2025-06-15T00:00:00.000Z', requestedBy: reviewer.userId }, reviewer, OPENED);
    open('rev-3');
    reviewEvent(log, 'rev-3', 'ReviewClosedCompliant', { applicationId: 'app-1', closedAt: '2025-05-20T00:00:00.000Z' }, reviewer, '2025-05-20T00:00:00.000Z');
    project(db, [complianceProjection], log.events);

    const samples = parseExposition(await registry.metrics());
    expect(valueOf(samples, 'cloud_office_open_cases', { kind: 'compliance-review', status: 'opened', jurisdiction: 'federal' })).toBe(1);
    expect(valueOf(samples, 'cloud_office_open_cases', { kind: 'compliance-review', status: 'evidence-requested', jurisdiction: 'federal' })).toBe(1);
    expect(findSamples(samples, 'cloud_office_open_cases', { kind: 'compliance-review' })).toHaveLength(2);
  });

  it('counts significant changes of accredited offerings not decided yet, a recommended one among them', async () => {
    const db = memoryDb(complianceProjection);
    const registry = createProcessRegistry('projector', { defaults: false });
    registerOpenCases(registry, db);
    const log = new TestLog();
    const request = (changeId: string) =>
      changeEvent(log, changeId, 'SignificantChangeRequested', { ...CHANGE, changeId, requestedBy: cspRep.userId, requestedAt: '2025-06-01T00:00:00.000Z' }, cspRep, '2025-06-01T00:00:00.000Z');
    request('chg-1');
    request('chg-2');
    changeEvent(log, 'chg-2', 'SignificantChangeRecommended', { recommendation: 'approve', reasons: 'Fine', recommendedBy: reviewer.userId, recommendedByName: 'Rania Reviewer' }, reviewer, '2025-06-02T00:00:00.000Z');
    request('chg-3');
    changeEvent(log, 'chg-3', 'SignificantChangeApproved', { applicationId: 'app-1', reasons: 'Fine', decidedBy: director.userId, decidedByName: 'Dawood Director' }, director, '2025-06-03T00:00:00.000Z');
    request('chg-4');
    changeEvent(log, 'chg-4', 'SignificantChangeRejected', { applicationId: 'app-1', reasons: 'No', decidedBy: director.userId, decidedByName: 'Dawood Director' }, director, '2025-06-03T00:00:00.000Z');
    project(db, [complianceProjection], log.events);

    const samples = parseExposition(await registry.metrics());
    expect(valueOf(samples, 'cloud_office_open_cases', { kind: 'significant-change', status: 'requested', jurisdiction: 'federal' })).toBe(1);
    expect(valueOf(samples, 'cloud_office_open_cases', { kind: 'significant-change', status: 'recommended-approve', jurisdiction: 'federal' })).toBe(1);
    expect(findSamples(samples, 'cloud_office_open_cases', { kind: 'significant-change' })).toHaveLength(2);
  });

  it('reports no series while the projector has not created the NOC register yet', async () => {
    const registry = createProcessRegistry('api', { defaults: false });
    registerOpenCases(registry, openReadModelDb(':memory:'));
    expect(findSamples(parseExposition(await registry.metrics()), 'cloud_office_open_cases')).toEqual([]);
  });
});
