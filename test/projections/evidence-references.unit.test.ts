import type { RecordedEvent } from '../../eventstore/port';
import { writeCheckpoint } from '../../projections/checkpoints';
import { CATCH_UP_LIMIT, createEvidenceReferenceQueries, evidenceReferencesProjection } from '../../projections/evidence/references';
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
  it('records the files an application, an answer and a review name, each with the provider whose case it is', async () => {
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
    expect(await queries.referencesTo(A)).toEqual([{ stream: 'accreditation-ACC-1', cspId: 'csp-one', filename: 'cert.pdf', size: 10, contentType: 'application/pdf' }]);
    expect((await queries.referencesTo(B)).map((r) => [r.stream, r.cspId, r.filename])).toEqual([
      ['accreditation-ACC-1', 'csp-one', 'soc2.pdf'],
      ['review-REV-1', 'csp-two', 'report.pdf'],
    ]);
    expect(await queries.referencesTo('c'.repeat(64))).toEqual([]);
  });
});

/** An event store that holds a log and answers readAll as the real ones do (after a position, in order). */
const logOf = (log: RecordedEvent[]) => ({
  readAll: async (options: { after?: { commit: bigint }; maxCount?: number } = {}) =>
    log.filter((e) => options.after === undefined || e.position.commit > options.after.commit).slice(0, options.maxCount ?? log.length),
});

const reviewOpened = (stream: string, cspId: string) =>
  event(stream, 'ReviewOpened', { reviewId: stream, applicationId: 'ACC-9', offeringId: 'off-9', cspId, trigger: 'incident', description: 'Outage', openedBy: 'r', openedAt: '2030-01-01T00:00:00.000Z' });
const reviewEvidence = (stream: string, sha256: string, filename: string) =>
  event(stream, 'ReviewEvidenceSubmitted', { summary: 'Logs', documents: [], files: [file(sha256, filename)], submittedBy: 'u' });

describe('the evidence references while the read model catches up', () => {
  it('names a case whose events the read model has not applied yet, with the owner the read model already knows', async () => {
    const db = memoryDb(evidenceReferencesProjection);
    const opened = reviewOpened('review-REV-7', 'csp-seven');
    project(db, [evidenceReferencesProjection], [opened]);
    writeCheckpoint(db, evidenceReferencesProjection.name, opened.position, evidenceReferencesProjection.version, '2030-01-01T00:00:00.000Z');
    const submitted = reviewEvidence('review-REV-7', A, 'logs.pdf');
    const queries = createEvidenceReferenceQueries(db, logOf([opened, submitted]));
    expect(await queries.referencesTo(A)).toEqual([{ stream: 'review-REV-7', cspId: 'csp-seven', filename: 'logs.pdf', size: 10, contentType: 'application/pdf' }]);
    // Without the log the read model alone does not know it yet: the catch-up is what answers.
    expect(await createEvidenceReferenceQueries(db).referencesTo(A)).toEqual([]);
  });

  it('takes the owner from the unapplied events too, when the whole case is newer than the checkpoint', async () => {
    const db = memoryDb(evidenceReferencesProjection);
    const log = [reviewOpened('review-REV-8', 'csp-eight'), reviewEvidence('review-REV-8', B, 'report.pdf')];
    const queries = createEvidenceReferenceQueries(db, logOf(log));
    expect((await queries.referencesTo(B)).map((r) => [r.stream, r.cspId, r.filename])).toEqual([['review-REV-8', 'csp-eight', 'report.pdf']]);
    expect(await queries.referencesTo(A)).toEqual([]);
  });

  it('reads only events after the checkpoint, and no more of them than the catch-up limit', async () => {
    const db = memoryDb(evidenceReferencesProjection);
    const early = [reviewOpened('review-REV-5', 'csp-five'), reviewEvidence('review-REV-5', A, 'old.pdf')];
    project(db, [evidenceReferencesProjection], early);
    writeCheckpoint(db, evidenceReferencesProjection.name, early[1]!.position, evidenceReferencesProjection.version, '2030-01-01T00:00:00.000Z');
    const asked: { after?: { commit: bigint }; maxCount?: number }[] = [];
    const log = logOf(early);
    const queries = createEvidenceReferenceQueries(db, {
      readAll: async (options = {}) => {
        asked.push(options);
        return log.readAll(options);
      },
    });
    // Applied once, found once: the rows, and nothing again from the log.
    expect((await queries.referencesTo(A)).map((r) => r.filename)).toEqual(['old.pdf']);
    expect(asked).toEqual([{ after: early[1]!.position, maxCount: CATCH_UP_LIMIT }]);
  });
});
