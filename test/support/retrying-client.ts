import { randomUUID } from 'node:crypto';
import { totpCode } from '../../identity';
import type { Reply } from './api-client';

/**
 * An API client that behaves as a careful integration would while the engine crashes under it: every
 * command carries an Idempotency-Key and is sent again, with the same key, while the answer is a
 * dropped connection, a timeout or a 5xx; so a command is acted on once however often it is sent.
 */
export interface RetryFigures {
  commands: number;
  /** Sends beyond the first: answers lost to a dead worker, a restarting server, a timeout. */
  resends: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RetryingClientOptions {
  /** How long one command may keep being resent (and a read retried) before it counts as failed. */
  patienceMs?: number;
  /** What the test knows of the faults so far (kills, restarts), told when the client gives up. */
  circumstances?: () => string;
}

export class RetryingClient<W extends string> {
  readonly figures: RetryFigures = { commands: 0, resends: 0 };
  /** Commands sent and not yet answered, for a test that wants to act while some are in flight. */
  inFlight = 0;
  private readonly tokens = new Map<W, string>();
  private readonly patienceMs: number;

  constructor(
    private readonly base: string,
    private readonly options: RetryingClientOptions = {},
  ) {
    this.patienceMs = options.patienceMs ?? 300_000;
  }

  private gaveUp(what: string, last: string): Error {
    const context = this.options.circumstances?.();
    return new Error(`${what} was not answered within ${this.patienceMs / 1000} s; last: ${last}${context ? ` (${context})` : ''}`);
  }

  /**
   * Signs in as an account the console created with `password`: enrols an authenticator (choosing the
   * person's own password, as the one-time password requires) and signs in with its first code.
   */
  async enrol(who: W, username: string, password: string): Promise<void> {
    const own = `${password} chosen at enrolment`;
    const enrolment = await this.once('POST', '/api/auth/mfa/enrolment', undefined, { username, password, newPassword: own });
    const secret = (enrolment.body as { secret?: string }).secret;
    if (enrolment.status !== 200 || secret === undefined) throw new Error(`${username} could not enrol: ${enrolment.status} ${JSON.stringify(enrolment.body)}`);
    const session = await this.once('POST', '/api/auth/login', undefined, { username, password: own, code: totpCode(secret, new Date()) });
    const token = (session.body as { token?: string }).token;
    if (token === undefined) throw new Error(`${username} could not sign in: ${session.status} ${JSON.stringify(session.body)}`);
    this.tokens.set(who, token);
  }

  /** One request, no retry. */
  async once(method: string, path: string, who?: W, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const token = who === undefined ? undefined : this.tokens.get(who);
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /**
   * A command, resent with the same Idempotency-Key until it is answered other than by a fault; with
   * the key (the command's id) and how often it was resent.
   */
  async command(method: string, path: string, who: W, body: unknown): Promise<Reply & { idempotencyKey: string; resends: number }> {
    const key = randomUUID();
    const giveUp = Date.now() + this.patienceMs;
    this.figures.commands += 1;
    this.inFlight += 1;
    try {
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) this.figures.resends += 1;
        let last: string;
        try {
          const reply = await this.once(method, path, who, body, { 'idempotency-key': key });
          if (reply.status < 500 && reply.status !== 429) return { ...reply, idempotencyKey: key, resends: attempt };
          last = `${reply.status} ${JSON.stringify(reply.body)}`;
        } catch (err) {
          last = (err as Error).message;
        }
        if (Date.now() > giveUp) throw this.gaveUp(`${method} ${path}`, last);
        await sleep(Math.min(2000, 200 * 2 ** Math.min(attempt, 4)));
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  /** A read, retried the same way (the API answers reads from the read models, but may be restarting). */
  async read(path: string, who?: W): Promise<Reply> {
    const giveUp = Date.now() + this.patienceMs;
    for (;;) {
      let last: string;
      try {
        const reply = await this.once('GET', path, who);
        if (reply.status < 500) return reply;
        last = `${reply.status} ${JSON.stringify(reply.body)}`;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > giveUp) throw this.gaveUp(`GET ${path}`, last);
      await sleep(500);
    }
  }
}
