import type { Actor } from '../../domain/shared/actor';
import { MonthsRequested, PageOffset, ReportedCount, TransitionDays, pageLimit } from '../../domain/shared/bounds';
import { canSeeCspRecord, canSeePseRecord } from '../../domain/shared/visibility';
import { ROLES, type Jurisdiction, type Role } from '../../domain/shared/vocabulary';
import { AccreditationCommandPayloads } from '../../domain/accreditation';
import { NocCommandPayloads } from '../../domain/noc';
import { validationError } from '../../identity/validation';

const actor = (role: Role, jurisdiction: Jurisdiction = 'federal', organisationId?: string): Actor => ({
  userId: `u-${role}-${jurisdiction}`,
  name: role,
  role,
  jurisdiction,
  ...(organisationId ? { organisationId } : {}),
});
const STAFF: Role[] = ['reviewer', 'security-reviewer', 'director', 'auditor', 'admin'];

describe("who sees a provider's records", () => {
  it("shows them to the provider's own representatives and to every member of the Cloud Office's staff", () => {
    expect(canSeeCspRecord(actor('csp', 'federal', 'csp-one'), 'csp-one')).toBe(true);
    for (const role of STAFF) {
      expect(canSeeCspRecord(actor(role), 'csp-one')).toBe(true);
      expect(canSeeCspRecord(actor(role, 'punjab'), 'csp-one')).toBe(true);
    }
  });

  it('hides them from other providers, from entities and from provincial officers', () => {
    expect(canSeeCspRecord(actor('csp', 'federal', 'csp-two'), 'csp-one')).toBe(false);
    expect(canSeeCspRecord(actor('pse', 'federal', 'csp-one'), 'csp-one')).toBe(false);
    expect(canSeeCspRecord(actor('provincial-officer', 'punjab'), 'csp-one')).toBe(false);
  });
});

describe("who sees a public service entity's records", () => {
  const lahore = { pseId: 'pse-lahore', jurisdiction: 'punjab' } as const;

  it("shows them to the entity's own officers, whatever jurisdiction their account names, and to no other entity", () => {
    expect(canSeePseRecord(actor('pse', 'punjab', 'pse-lahore'), lahore)).toBe(true);
    expect(canSeePseRecord(actor('pse', 'punjab', 'pse-multan'), lahore)).toBe(false);
  });

  it("shows them to its own province's officers only", () => {
    expect(canSeePseRecord(actor('provincial-officer', 'punjab'), lahore)).toBe(true);
    expect(canSeePseRecord(actor('provincial-officer', 'sindh'), lahore)).toBe(false);
    expect(canSeePseRecord(actor('provincial-officer', 'federal'), lahore)).toBe(false);
  });

  it("shows them to the federal staff, who oversee every province, and to staff of the entity's own province, never to another province's", () => {
    for (const role of STAFF) {
      expect(canSeePseRecord(actor(role, 'federal'), lahore)).toBe(true);
      expect(canSeePseRecord(actor(role, 'punjab'), lahore)).toBe(true);
      expect(canSeePseRecord(actor(role, 'sindh'), lahore)).toBe(false);
    }
  });

  it('never shows them to a provider', () => {
    expect(canSeePseRecord(actor('csp', 'punjab', 'pse-lahore'), lahore)).toBe(false);
  });

  it('has an answer for every role', () => {
    for (const role of ROLES) expect(typeof canSeePseRecord(actor(role), lahore)).toBe('boolean');
  });
});

describe('bounds on the numbers people send', () => {
  it("refuses a revocation's migration period beyond five years, naming the field and the rule", () => {
    const revoke = AccreditationCommandPayloads.Revoke;
    expect(revoke.safeParse({ reasons: 'Breach', transitionDays: 1825 }).success).toBe(true);
    const refused = revoke.safeParse({ reasons: 'Breach', transitionDays: 1826 });
    expect(refused.success).toBe(false);
    expect(validationError(refused.error!).toJSON()).toEqual({ code: 'VALIDATION_FAILED', message: 'transitionDays: must be a whole number from 0 to 1825 days', field: 'transitionDays' });
    expect(revoke.safeParse({ reasons: 'Breach', transitionDays: -1 }).success).toBe(false);
    expect(revoke.safeParse({ reasons: 'Breach', transitionDays: 1.5 }).success).toBe(false);
  });

  it("refuses a NOC extension of more than 60 months or of none, naming the field", () => {
    const extension = NocCommandPayloads.RequestExtension;
    expect(extension.safeParse({ months: 60, justification: 'x' }).success).toBe(true);
    expect(validationError(extension.safeParse({ months: 61, justification: 'x' }).error!).message).toBe('months: must be a whole number from 1 to 60 months');
    expect(validationError(extension.safeParse({ months: 0, justification: 'x' }).error!).field).toBe('months');
    expect(validationError(extension.safeParse({ months: 'six', justification: 'x' }).error!).message).toBe('months: must be a whole number from 1 to 60 months');
  });

  it('keeps every bounded number between its limits', () => {
    expect(MonthsRequested.safeParse(Number.MAX_SAFE_INTEGER).success).toBe(false);
    expect(TransitionDays.safeParse(0).success).toBe(true);
    expect(ReportedCount.safeParse(1_000_001).success).toBe(false);
    expect(ReportedCount.safeParse(0).success).toBe(true);
    expect(pageLimit(500, 50).parse(undefined)).toBe(50);
    expect(pageLimit(500, 50).safeParse('501').success).toBe(false);
    expect(PageOffset.safeParse('100001').success).toBe(false);
    expect(PageOffset.parse('20')).toBe(20);
  });
});
