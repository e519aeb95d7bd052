import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildDossier } from '../../audit/dossier';
import { dossierHtml } from '../../audit/dossier-html';
import type { AccreditationCommand } from '../../domain/accreditation/commands';
import { decideAccreditation } from '../../domain/accreditation/decide';
import type { AccreditationEvent } from '../../domain/accreditation/events';
import { evolveAccreditation } from '../../domain/accreditation/evolve';
import { DEFAULT_ACCREDITATION_POLICY } from '../../domain/accreditation/policy';
import { initialAccreditationState, type AccreditationState } from '../../domain/accreditation/state';
import type { ChangeCommand } from '../../domain/compliance/change-commands';
import { decideChange } from '../../domain/compliance/change-decide';
import type { ChangeEvent } from '../../domain/compliance/change-events';
import { evolveChange } from '../../domain/compliance/change-evolve';
import { initialChangeState, type ChangeState } from '../../domain/compliance/change-state';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import type { ReviewCommand } from '../../domain/compliance/review-commands';
import { decideReview } from '../../domain/compliance/review-decide';
import type { ReviewEvent } from '../../domain/compliance/review-events';
import { evolveReview } from '../../domain/compliance/review-evolve';
import { initialReviewState, type ReviewState } from '../../domain/compliance/review-state';
import { Checkpointer } from '../../eventstore/integrity/checkpoint';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner } from '../../eventstore/integrity/signing';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { CaseScript, type ScriptStep } from '../support/case-script';
import { withoutWholeLog } from '../support/no-whole-log';
import { RENEWAL_OPENS, T, application, at, cmd, who } from '../domain/accreditation-fixtures';
import { ACCREDITATION, CHANGE, HIGH, R, SUBJECT, actors, ccmd, rcmd } from '../domain/compliance-fixtures';
import { FRAMEWORK_1_0 } from '../domain/framework-fixtures';

/**
 * One accreditation's whole life, written by the real deciders and the worker's envelope code: screened,
 * scored, security-reviewed, granted; an offering change decided; suspended on a compliance review's
 * decision, reinstated on its recommendation; renewed; revoked.
 */
const STREAM = `accreditation-${ACCREDITATION.applicationId}`;
const REVIEW = `review-${SUBJECT.reviewId}`;
const CHANGE_CASE = `change-${CHANGE.changeId}`;
const later = (iso: string, minutes: number): string => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

const accreditation = new CaseScript<AccreditationState, AccreditationCommand, AccreditationEvent>({
  stream: STREAM,
  correlationId: `accreditation:${ACCREDITATION.applicationId}`,
  policyVersion: DEFAULT_ACCREDITATION_POLICY.version,
  initial: initialAccreditationState,
  decide: (command, state, now) => decideAccreditation(command, state, at(now)),
  evolve: evolveAccreditation,
});
const review = new CaseScript<ReviewState, ReviewCommand, ReviewEvent>({
  stream: REVIEW,
  correlationId: `review:${SUBJECT.reviewId}`,
  policyVersion: DEFAULT_COMPLIANCE_POLICY.version,
  initial: initialReviewState,
  decide: (command, state, now) => decideReview(command, state, { now, policy: DEFAULT_COMPLIANCE_POLICY }),
  evolve: evolveReview,
});
const change = new CaseScript<ChangeState, ChangeCommand, ChangeEvent>({
  stream: CHANGE_CASE,
  correlationId: `change:${CHANGE.changeId}`,
  policyVersion: DEFAULT_COMPLIANCE_POLICY.version,
  initial: initialChangeState,
  decide: (command, state, now) => decideChange(command, state, { now, policy: DEFAULT_COMPLIANCE_POLICY }),
  evolve: evolveChange,
});

/** The decisions in the order they were taken: [case, kind, actor's name, role, reasons]. */
const EXPECTED: [string, string, string, string, string][] = [
  [STREAM, 'screening', who.reviewer.name, 'reviewer', 'Evidence complete'],
  [STREAM, 'scoring', who.reviewer.name, 'reviewer', 'Per the evidence'],
  [STREAM, 'security-review', who.securityReviewer.name, 'security-reviewer', 'Reviewed the controls'],
  [STREAM, 'grant', who.director.name, 'director', 'Meets the enhanced baseline'],
  [CHANGE_CASE, 'significant-change-approved', actors.director.name, 'director', 'On the file'],
  [REVIEW, 'suspension-decided', actors.director.name, 'director', 'High finding left open'],
  [STREAM, 'suspension', actors.director.name, 'director', 'High finding left open'],
  [REVIEW, 'reinstatement-recommended', actors.reviewer2.name, 'reviewer', 'Every finding remediated and verified'],
  [STREAM, 'reinstatement', who.director.name, 'director', 'Reports delivered'],
  [STREAM, 'renewal', who.director.name, 'director', 'Continued compliance'],
  [STREAM, 'revocation', who.director.name, 'director', 'Data found outside Pakistan'],
];

let dir: string;
let store: EventStore;
let trusted: Record<string, string>;

async function write(step: ScriptStep): Promise<void> {
  await store.append(step.stream, step.envelopes, step.expectedRevision < 0 ? 'no-stream' : step.expectedRevision);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'accreditation-dossier-'));
  store = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db') }));
  const signer = loadAuditSigner({ file: join(dir, 'key.pem') });
  trusted = { [signer.keyId]: signer.publicKeyPem };

  const app = application({ applicationId: ACCREDITATION.applicationId });
  await write(accreditation.take(cmd.submit(who.csp, app), T.submitted));
  await write(accreditation.take(cmd.startScreening(), T.screeningStarted));
  await write(accreditation.take(cmd.completeScreening(), later(T.screeningStarted, 60)));
  await write(accreditation.take(cmd.score(), T.scored));
  await write(accreditation.take(cmd.securityReview(), later(T.scored, 60)));
  await write(accreditation.take(cmd.approve(), T.decision));

  await write(change.take(ccmd.request(), '2025-06-01T09:00:00.000Z'));
  await write(change.take(ccmd.recommend(), '2025-06-05T09:00:00.000Z'));
  await write(change.take(ccmd.decide(), '2025-06-10T09:00:00.000Z'));

  await write(review.take(rcmd.open(), R.opened));
  await write(review.take(rcmd.requestEvidence(), R.evidenceRequested));
  await write(review.take(rcmd.submitEvidence(), R.evidenceSubmitted));
  await write(review.take(rcmd.assess([HIGH]), R.assessed));
  await write(review.take(rcmd.findingOverdue(HIGH.id), R.highDue));
  const decided = review.take(rcmd.suspend(), R.decision);
  await write(decided);
  // The review's process hands the decision to the accreditation's as its measure (review.workflow.ts).
  const measure = accreditation.take(
    { type: 'Suspend', actor: { ...actors.director, role: 'director', jurisdiction: 'federal' }, data: { reasons: 'High finding left open' } },
    later(R.decision, 1),
  );
  for (const envelope of measure.envelopes) envelope.metadata.causationId = `review:${SUBJECT.reviewId}:ReviewSuspensionDecided:${review.revision}`;
  await write(measure);
  await write(review.take(rcmd.remediate(HIGH.id), '2026-04-01T09:00:00.000Z'));
  await write(review.take(rcmd.verify(HIGH.id), '2026-04-05T09:00:00.000Z'));
  await write(review.take(rcmd.recommendReinstatement(), '2026-04-10T09:00:00.000Z'));
  await write(accreditation.take(cmd.reinstate(), '2026-04-12T09:00:00.000Z'));

  await write(accreditation.take(cmd.openRenewalWindow(), RENEWAL_OPENS));
  await write(accreditation.take(cmd.renew(), later(RENEWAL_OPENS, 60 * 24 * 7)));
  await write(accreditation.take(cmd.revoke(), '2028-06-01T09:00:00.000Z'));
  await new Checkpointer(store, signer).checkpoint('2028-06-02T00:00:00.000Z');
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("an accreditation's dossier", () => {
  it('lists every decision on it and about it, in order, each with actor, reasons and the framework version', async () => {
    const d = (await buildDossier(store, STREAM, trusted, '2028-06-03T00:00:00.000Z'))!;
    expect(d.verification).toMatchObject({ intact: true, checkpointFindings: [] });
    expect(d.decisions.map((x) => [x.case, x.kind, x.actor.name, x.role, x.reasons])).toEqual(EXPECTED);
    for (const x of d.decisions) {
      expect(x.frameworkVersion).toBe(FRAMEWORK_1_0.version);
      expect(x.at).toBeTruthy();
      expect(x.by).toContain(x.actor.userId);
    }
    expect(d.decisions.map((x) => x.at)).toEqual([...d.decisions.map((x) => x.at)].sort());
    expect(d.decisions.filter((x) => x.case === STREAM).every((x) => x.policyVersion === DEFAULT_ACCREDITATION_POLICY.version)).toBe(true);
    expect(d.decisions.filter((x) => x.case !== STREAM).every((x) => x.policyVersion === DEFAULT_COMPLIANCE_POLICY.version)).toBe(true);
  });

  it('finds the same decisions and verifies the related cases without reading the whole log', async () => {
    const d = (await buildDossier(withoutWholeLog(store), STREAM, trusted, '2028-06-03T00:00:00.000Z'))!;
    expect(d.verification).toMatchObject({ intact: true, checkpointFindings: [] });
    expect([...d.verification.streams].sort()).toEqual([STREAM, CHANGE_CASE, REVIEW].sort());
    expect(d.decisions.map((x) => [x.case, x.kind, x.actor.name, x.role, x.reasons])).toEqual(EXPECTED);
  });

  it('carries the scores on the scoring, the outcome on the security review, and the version each was scored against', async () => {
    const d = (await buildDossier(store, STREAM, trusted, '2028-06-03T00:00:00.000Z'))!;
    const kind = (k: string) => d.decisions.find((x) => x.kind === k);
    expect(kind('scoring')).toMatchObject({ scores: expect.any(Object), scoredAgainst: '1.0' });
    expect(Object.keys(kind('scoring')?.scores ?? {}).length).toBeGreaterThan(0);
    expect(kind('scoring')?.scoreSummary).toMatchObject({ complete: true, highestBaselineMet: 'enhanced' });
    expect(kind('security-review')).toMatchObject({ outcome: 'passed' });
    expect(kind('grant')).toMatchObject({ scoredAgainst: '1.0', scoreSummary: { highestBaselineMet: 'enhanced' } });
    expect(kind('renewal')).toMatchObject({ scoredAgainst: '1.0' });
    expect(kind('suspension')).toMatchObject({ onDecisionOf: REVIEW });
  });

  it('names the reviews and changes about it as related cases', async () => {
    const d = (await buildDossier(store, STREAM, trusted, '2028-06-03T00:00:00.000Z'))!;
    expect(d.relatedCases).toEqual([
      expect.objectContaining({ case: CHANGE_CASE, kind: 'significant-change', trigger: CHANGE.kind }),
      expect.objectContaining({ case: REVIEW, kind: 'compliance-review', trigger: 'anniversary', openedAt: R.opened }),
    ]);
  });

  it('prints the same decisions, in the same order, in its HTML, with links to the related cases', async () => {
    const d = (await buildDossier(store, STREAM, trusted, '2028-06-03T00:00:00.000Z'))!;
    const html = dossierHtml(d, { caseHref: (c) => `../${c}/dossier` });
    const table = html.slice(html.indexOf('<h2>Decisions</h2>'), html.indexOf('<h2>Related cases</h2>'));
    const rows = table.split('<tr>').slice(2);
    expect(rows).toHaveLength(EXPECTED.length);
    EXPECTED.forEach(([c, kind, name, role, reasons], i) => {
      const row = rows[i] as string;
      expect(row).toContain(c === STREAM ? `<td>${c}</td>` : `<a href="../${c}/dossier">${c}</a>`);
      expect(row).toContain(`${kind}<br>`);
      expect(row).toContain(name);
      expect(row).toContain(`<td>${role}</td>`);
      expect(row).toContain(`<td>${reasons}</td>`);
      expect(row).toContain(`<td>${FRAMEWORK_1_0.version}`);
    });
    expect(rows.find((r) => r.includes('scoring<br>'))).toContain('Total 66.29, meets enhanced');
    expect(html).toContain('<h2>Related cases</h2>');
  });

  it("shows the engine's lapse and expiry, and the applicant's withdrawal, as decisions with their actor and reasons", async () => {
    const script = (applicationId: string) =>
      new CaseScript<AccreditationState, AccreditationCommand, AccreditationEvent>({
        stream: `accreditation-${applicationId}`,
        correlationId: `accreditation:${applicationId}`,
        policyVersion: DEFAULT_ACCREDITATION_POLICY.version,
        initial: initialAccreditationState,
        decide: (command, state, now) => decideAccreditation(command, state, at(now)),
        evolve: evolveAccreditation,
      });
    const lapsing = script('ACC-LAPSE');
    await write(lapsing.take(cmd.submit(who.csp, application({ applicationId: 'ACC-LAPSE' })), T.submitted));
    await write(lapsing.take(cmd.startScreening(), T.screeningStarted));
    await write(lapsing.take(cmd.requestInformation(), T.informationRequested));
    await write(lapsing.take(cmd.lapse(), T.informationDue));
    const expiring = script('ACC-EXPIRE');
    await write(expiring.take(cmd.submit(who.csp, application({ applicationId: 'ACC-EXPIRE' })), T.submitted));
    for (const [command, now] of [
      [cmd.startScreening(), T.screeningStarted],
      [cmd.completeScreening(), later(T.screeningStarted, 60)],
      [cmd.score(), T.scored],
      [cmd.securityReview(), later(T.scored, 60)],
      [cmd.approve(), T.decision],
      [cmd.expire(), T.validUntil],
    ] as const) {
      await write(expiring.take(command, now));
    }
    const withdrawing = script('ACC-WITHDRAW');
    await write(withdrawing.take(cmd.submit(who.csp, application({ applicationId: 'ACC-WITHDRAW' })), T.submitted));
    await write(withdrawing.take(cmd.withdraw(), T.screeningStarted));

    const last = async (stream: string) => (await buildDossier(store, stream, trusted, '2028-06-03T00:00:00.000Z'))!.decisions.at(-1);
    const engine = { userId: 'system', name: 'Cloud Office engine' };
    expect(await last('accreditation-ACC-LAPSE')).toMatchObject({
      kind: 'lapse',
      actor: engine,
      at: T.informationDue,
      reasons: 'The requested information was not provided in time',
      frameworkVersion: '1.0',
    });
    expect(await last('accreditation-ACC-EXPIRE')).toMatchObject({ kind: 'expiry', actor: engine, at: T.validUntil, reasons: expect.stringContaining(T.validUntil), frameworkVersion: '1.0' });
    expect(await last('accreditation-ACC-WITHDRAW')).toMatchObject({ kind: 'withdrawal', actor: { userId: who.csp.userId }, role: 'csp', reasons: 'Offering discontinued', frameworkVersion: '1.0' });
    const expired = (await buildDossier(store, 'accreditation-ACC-EXPIRE', trusted, '2028-06-03T00:00:00.000Z'))!;
    expect(expired.relatedCases).toEqual([]);
    expect(dossierHtml(expired)).toContain('expiry<br><small>AccreditationExpired</small>');
  });

  it('does not verify when a related review is altered, and says which', async () => {
    const raw = new Database(join(dir, 'events.db'));
    raw.prepare("UPDATE events SET data = json_set(data, '$.reasons', 'rewritten') WHERE stream = ? AND type = 'ReviewSuspensionDecided'").run(REVIEW);
    raw.close();
    const d = (await buildDossier(store, STREAM, trusted, '2028-06-04T00:00:00.000Z'))!;
    expect(d.verification.intact).toBe(false);
    expect(d.verification.chainBreak).toBeUndefined();
    expect(d.verification.relatedChainBreaks).toEqual([expect.objectContaining({ stream: REVIEW, problem: 'changed' })]);
    expect(dossierHtml(d)).toContain(`Related case ${REVIEW} broken`);
  });
});
