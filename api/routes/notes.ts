import { NOTE_READERS, NOTE_WRITERS, type NotedCaseKind } from '../../domain/notes';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { canSeeCspRecord } from '../../domain/shared/visibility';
import type { CaseNotes } from '../case-notes';
import type { ApiDeps } from '../deps';
import { defineRoute, type AnyRoute } from '../route';
import { AddNoteBody, NoteList, NoteView } from '../schemas/notes';
import { ApplicationIdParams } from '../schemas/accreditation';
import { ChangeIdParams } from '../schemas/change';
import { NocIdParams } from '../schemas/noc';
import { ReviewIdParams } from '../schemas/review';
import { complianceGatewayOf } from './reviews';
import { visibleOrNotFound } from './visible';

/**
 * Notes are the office's: its case workers and auditors read them, about a case they may see (a
 * provincial officer, the NOCs of their province). Other roles are refused outright; a case the person
 * may not see answers exactly as one that does not exist, as the case's own routes do.
 */
export async function assertNotesVisible(deps: ApiDeps, actor: Actor, kind: NotedCaseKind, caseId: string): Promise<void> {
  if (!NOTE_READERS.includes(actor.role)) throw new DomainError('ROLE_NOT_ALLOWED', 'Internal notes are for the office’s staff and auditors');
  switch (kind) {
    case 'noc':
      if (deps.nocQueries.get(actor, caseId) === undefined) throw new DomainError('NOT_FOUND', `No NOC ${caseId}`);
      return;
    case 'accreditation': {
      if (deps.accreditationGateway === undefined) throw new DomainError('UNAVAILABLE', 'Accreditation is not available on this server');
      const gateway = deps.accreditationGateway;
      await visibleOrNotFound(gateway.state(caseId), (live) => live.state.status !== 'none' && canSeeCspRecord(actor, live.state.application.cspId), `No application ${caseId}`);
      return;
    }
    case 'review':
      await visibleOrNotFound(complianceGatewayOf(deps)().review(actor, caseId), (live) => live.state.status !== 'none' && canSeeCspRecord(actor, live.state.subject.cspId), `No review ${caseId}`);
      return;
    case 'change':
      await visibleOrNotFound(complianceGatewayOf(deps)().change(actor, caseId), (live) => live.state.status !== 'none' && canSeeCspRecord(actor, live.state.change.cspId), `No significant change ${caseId}`);
      return;
  }
}

/** Each kind of case keeps its notes under its own path, named by the parameter its other routes use. */
const NOTED = [
  { kind: 'noc', base: '/api/nocs/:nocId', param: 'nocId', params: NocIdParams, tag: 'nocs', what: 'NOC' },
  { kind: 'accreditation', base: '/api/accreditations/:applicationId', param: 'applicationId', params: ApplicationIdParams, tag: 'accreditations', what: 'accreditation application' },
  { kind: 'review', base: '/api/reviews/:reviewId', param: 'reviewId', params: ReviewIdParams, tag: 'compliance', what: 'compliance review' },
  { kind: 'change', base: '/api/changes/:changeId', param: 'changeId', params: ChangeIdParams, tag: 'compliance', what: 'significant change' },
] as const;

const Capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The office's internal notes on a case: staff and auditors only, never the case's provider or entity. */
export function noteRoutes(deps: ApiDeps): AnyRoute[] {
  const notes = (): CaseNotes => {
    if (deps.caseNotes === undefined) throw new DomainError('UNAVAILABLE', 'Case notes are not available on this server');
    return deps.caseNotes;
  };
  return NOTED.flatMap(({ kind, base, param, params, tag, what }) => {
    const caseIdOf = (p: unknown): string => (p as Record<string, string>)[param] as string;
    const name = kind === 'noc' ? 'Noc' : Capital(kind);
    return [
      defineRoute({
        method: 'GET',
        url: `${base}/notes`,
        operationId: `list${name}Notes`,
        summary: `The office's internal notes on a ${what}, oldest first`,
        description: 'For the office’s reviewers, security reviewers, directors, provincial officers (their province’s NOCs) and auditors; never the provider or entity. A case the person may not see answers 404.',
        tag,
        auth: 'bearer',
        roles: NOTE_READERS,
        params,
        caseIdParam: param,
        status: 200,
        response: NoteList,
        errors: [403, 503],
        async handler({ actor, params: p }) {
          await assertNotesVisible(deps, actor, kind, caseIdOf(p));
          return { items: await notes().list(kind, caseIdOf(p)) };
        },
      }),
      defineRoute({
        method: 'POST',
        url: `${base}/notes`,
        operationId: `add${name}Note`,
        summary: `Add an internal note to a ${what}`,
        description: `Recorded as a CaseNoteAdded event in the stream notes-${kind}-<id>, apart from the case’s own stream. With an Idempotency-Key, a retry records the note once.`,
        tag,
        auth: 'bearer',
        roles: NOTE_WRITERS,
        params,
        body: AddNoteBody,
        bodyName: 'AddCaseNote',
        idempotent: true,
        caseIdParam: param,
        status: 201,
        response: NoteView,
        errors: [403, 409, 503],
        async handler({ actor, params: p, body, idempotencyKey }) {
          await assertNotesVisible(deps, actor, kind, caseIdOf(p));
          return notes().add(actor, kind, caseIdOf(p), body.text, idempotencyKey);
        },
      }),
    ];
  });
}
