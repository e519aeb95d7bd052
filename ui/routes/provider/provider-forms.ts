import type { FastifyRequest } from 'fastify';
import type { CspGateway } from '../../../api/csp-gateway';
import type { Actor } from '../../../domain/shared/actor';
import { DomainError } from '../../../domain/shared/errors';
import type { UiContext } from '../../context';
import { actorOf } from '../../context';
import { lines, type FormErrors } from '../../forms';

/** The provider's pages are its own representatives': anyone else is refused for their role. */
export function requireProvider(request: FastifyRequest): Actor & { organisationId: string } {
  const actor = actorOf(request);
  if (actor.role !== 'csp' || actor.organisationId === undefined) throw new DomainError('ROLE_NOT_ALLOWED', "These are a provider's own pages");
  return actor as Actor & { organisationId: string };
}

export function cspsOf(ctx: UiContext): CspGateway {
  if (ctx.deps.cspGateway === undefined) throw new DomainError('UNAVAILABLE', 'The CSP register is not available on this server');
  return ctx.deps.cspGateway;
}

/** Data centres as typed, one a line: "Islamabad, PK". */
export function dataCentresOf(text: string | undefined): { city: string; country: string }[] {
  return lines(text).map((line) => {
    const comma = line.lastIndexOf(',');
    return comma < 0 ? { city: line, country: '' } : { city: line.slice(0, comma).trim(), country: line.slice(comma + 1).trim() };
  });
}

/** Service models as typed: comma-separated, e.g. "IaaS, PaaS". */
export function serviceModelsOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Zod issues as messages by form field (the first key of the issue's path), each starting with the field's label. */
export function issuesToErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[], labels: Record<string, string>, rename: (key: string) => string = (k) => k): FormErrors {
  const errors: FormErrors = {};
  for (const issue of issues) {
    const field = rename(String(issue.path[0] ?? ''));
    const name = labels[field];
    const where = issue.path.length > 1 ? ` (${issue.path.slice(1).map(String).join('.')})` : '';
    if (name === undefined) errors[''] ??= issue.message;
    else errors[field] ??= `${name}${where}: ${issue.message}`;
  }
  return errors;
}
