import type { RecordedEvent } from '../../eventstore/port';
import { createEvidenceReferenceQueries, evidenceReferencesProjection } from '../../projections/evidence/references';
import { memoryDb, project } from './support';

/** Which cases name which evidence files, and whose cases they are: what decides who may open a file. */
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const file = (sha256: string, filename: string) => ({ sha256, filename, size: 10, contentType: 'application/pdf' });
let revision = 0;
let position = 0n;
const event = (stream: string, type: string, data: unknown): RecordedEvent => {
  position += 1n;
  return {
    id: `e-${position}`,
    stream,
    revision: revision++,
    position: { commit: position, prepare: position },
    type,
    data,
    metadata: { schemaVersion: 1, actor: { userId: 'u', role: 'csp' }, occurredAt: '2030-01-01T00:00:00.000Z', correlationId: stream, causationId: 'c', policyVersion: 'p' },
    recordedAt: '2030-01-01T00:00:00.000Z',
  };
};

const offering = { offeringId: 'off-1', name: 'Cloud', serviceModels: ['IaaS'], deploymentModel: 'public', dataCentres: [{ city: 'Karachi', country: 'PK' }] };

describe('the evidence references read model', () => {
  it('records the files an application, an answer and a review name, each with the provider whose case it is', () => {
    const db = memoryDb(evidenceReferencesProjection);
    project(db, [evidenceReferencesProjection], [
      event('accreditation-ACC-1', 'AccreditationSubmitted', {
        applicationId: 'ACC-1',
        cspId: 'csp-one',
        offering,
        requestedBaseline: 'baseline',
        evidence: [{ kind: 'iso-27001', reference: 'Cert', files: [file(A, 'cert.pdf')] }, { kind: 'other', reference: 'No file' }],
        frameworkVersion: '1.0',
        submittedBy: 'u',
        submittedAt: '2030-01-01T00:00:00.000Z',
        policyVersion: 'p',
      }),
      event('accreditation-ACC-1', 'AccreditationInformationProvided', { answer: 'Here', evidence: [{ kind: 'soc2', reference: 'Report', files: [file(B, 'soc2.pdf')] }], providedBy: 'u' }),
      event('review-REV-1', 'ReviewOpened', {
        reviewId: 'REV-1',
        applicationId: 'ACC-9',
        offeringId: 'off-9',
        cspId: 'csp-two',
        trigger: 'incident',
        description: 'Outage',
        openedBy: 'r',
        openedAt: '2030-01-01T00:00:00.000Z',
      }),
      event('review-REV-1', 'ReviewEvidenceSubmitted', { summary: 'Same report', documents: [], files: [file(B, 'report.pdf')], submittedBy: 'u' }),
    ]);
    const queries = createEvidenceReferenceQueries(db);
    expect(queries.referencesTo(A)).toEqual([{ stream: 'accreditation-ACC-1', cspId: 'csp-one', filename: 'cert.pdf', size: 10, contentType: 'application/pdf' }]);
    expect(queries.referencesTo(B).map((r) => [r.stream, r.cspId, r.filename])).toEqual([
      ['accreditation-ACC-1', 'csp-one', 'soc2.pdf'],
      ['review-REV-1', 'csp-two', 'report.pdf'],
    ]);
    expect(queries.referencesTo('c'.repeat(64))).toEqual([]);
  });
});
