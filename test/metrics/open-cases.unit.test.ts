import { registerOpenCases } from '../../metrics/open-cases';
import { createProcessRegistry } from '../../metrics/registry';
import { openReadModelDb } from '../../projections/db';
import { nocRegisterProjection } from '../../projections/noc/register';
import { pse } from '../support/actors';
import { parseExposition, findSamples, valueOf } from '../support/prometheus';
import { TestLog, memoryDb, project } from '../projections/support';
import { accreditationQueueProjection } from '../../projections/accreditation/queue';
import { GOV_CLOUD, PUBLIC_CLOUD, application } from '../projections/accredited-fixtures';

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

  it('reports no series while the projector has not created the NOC register yet', async () => {
    const registry = createProcessRegistry('api', { defaults: false });
    registerOpenCases(registry, openReadModelDb(':memory:'));
    expect(findSamples(parseExposition(await registry.metrics()), 'cloud_office_open_cases')).toEqual([]);
  });
});
