import { totpCode, type Identity } from '../../identity';

/**
 * Second factors for tests. The identity is created with `mfaNow: totp.now`; every code asked for
 * moves that clock one TOTP step on, so each sign-in has a fresh code and the replay rule (one
 * sign-in per step) never refuses a test's sign-in. Secrets are kept by username.
 */
export class TestTotp {
  private steps = 0;
  private readonly secrets = new Map<string, string>();

  readonly now = (): Date => new Date(Date.now() + this.steps * 30_000);

  /**
   * Enrols through the real flow (enrolment, then a sign-in with a code); answers that first session.
   * With a one-time password (one an administrator set) the person chooses `newPassword` with it; an
   * account whose password is its own already (recorded before one-time passwords) enrols without.
   */
  async enrol(identity: Pick<Identity, 'beginMfaEnrolment' | 'login'>, username: string, password: string, newPassword?: string) {
    const { secret } = await identity.beginMfaEnrolment({ username, password, ...(newPassword === undefined ? {} : { newPassword }) });
    this.remember(username, secret);
    return identity.login({ username, password: newPassword ?? password, code: this.code(username) });
  }

  remember(username: string, secret: string): void {
    this.secrets.set(username.trim().toLowerCase(), secret);
  }

  /** Whether the account has enrolled (or been given) an authenticator in this test. */
  knows(username: string): boolean {
    return this.secrets.has(username.trim().toLowerCase());
  }

  secretOf(username: string): string {
    const secret = this.secrets.get(username.trim().toLowerCase());
    if (!secret) throw new Error(`${username} has not enrolled an authenticator in this test`);
    return secret;
  }

  /** A code for the next time step of the account's secret. */
  code(username: string): string {
    this.steps += 1;
    return totpCode(this.secretOf(username), this.now());
  }
}

/** One per test file (jest loads modules per file): test helpers and InjectBrowser share it. */
export const testTotp = new TestTotp();
