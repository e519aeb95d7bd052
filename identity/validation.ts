import type { z } from 'zod';
import { DomainError } from '../domain/shared/errors';

/** The dotted path of a zod issue ("systems.0"), or undefined for the value as a whole. */
export function issuePath(issue: z.core.$ZodIssue): string | undefined {
  return issue.path.length === 0 ? undefined : issue.path.map(String).join('.');
}

/** The first failing field wins: one clear message beats a list nobody reads. */
export function validationError(error: z.ZodError): DomainError {
  const issue = error.issues[0];
  if (!issue) return new DomainError('VALIDATION_FAILED', 'Invalid input');
  const field = issuePath(issue);
  return new DomainError('VALIDATION_FAILED', field ? `${field}: ${issue.message}` : issue.message, field);
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}
