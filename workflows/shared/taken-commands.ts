import { currentUpdateInfo } from '@temporalio/workflow';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { commandDigest, type TakenCommand, type TakenOutcome } from '../../domain/shared/signed-command';

/** A person's command as the taken set sees it: who, which id, what it asks. */
type Command = { actor: Actor; commandId: string; type: string; data?: unknown };

const takenKey = (userId: string, commandId: string): string => JSON.stringify([userId, commandId]);

/**
 * People's commands a case process has taken (this run's and, carried over continue-as-new, the runs'
 * before it while their seals could still be taken): a captured command is not taken twice, and the
 * API's resend of one an earlier run answered gets that answer again. Keyed by actor and command id.
 */
export class TakenCommands {
  private readonly taken = new Map<string, TakenCommand>();
  /** The commands carried from earlier runs, as they were handed over: the ones whose resends this run answers. */
  private readonly carried = new Map<string, TakenCommand>();

  constructor(carried: readonly TakenCommand[]) {
    for (const t of carried) {
      this.taken.set(takenKey(t.userId, t.commandId), t);
      this.carried.set(takenKey(t.userId, t.commandId), t);
    }
  }

  /** Refuses a command already taken under another update id (a captured command sent again), unless it is a resend `earlierAnswer` answers. */
  checkNotTaken(action: Command): void {
    if (this.earlierAnswer(action) !== undefined) return;
    if (this.taken.has(takenKey(action.actor.userId, action.commandId))) {
      throw new DomainError('COMMAND_SIGNATURE_INVALID', `Refused: command ${action.commandId} was already taken`, 'commandId');
    }
  }

  /**
   * How an earlier run answered this command, when this is its resend: Temporal answers a repeated update
   * id only within one run, so after continue-as-new the API's retry (same Idempotency-Key) lands here.
   * Only under the update id the API gives it (`userId:commandId`) and asking exactly what was taken;
   * anything else under a taken id stays a replay, refused.
   */
  earlierAnswer(action: Command): TakenOutcome | undefined {
    const key = takenKey(action.actor.userId, action.commandId);
    const earlier = this.carried.get(key);
    if (earlier?.outcome === undefined || this.taken.get(key) !== earlier) return undefined;
    if (currentUpdateInfo()?.id !== `${action.actor.userId}:${action.commandId}`) return undefined;
    return earlier.digest === commandDigest(action) ? earlier.outcome : undefined;
  }

  /** Marks a command as taken, issued at `issuedAt`. */
  take(action: Command, issuedAt: string): void {
    const { userId } = action.actor;
    this.taken.set(takenKey(userId, action.commandId), { userId, commandId: action.commandId, issuedAt, digest: commandDigest(action) });
  }

  /** Records how a taken command was answered, for a resend that reaches a later run. */
  answered(action: { actor: Actor; commandId: string }, outcome: TakenOutcome): void {
    const entry = this.taken.get(takenKey(action.actor.userId, action.commandId));
    if (entry !== undefined) entry.outcome = outcome;
  }

  /**
   * The commands a next run must still know: issued within `windowMs` before `now`. Without their
   * answers for hand-overs recorded before answers were carried (the next run refuses them all, as it did).
   */
  toHandOver(now: number, windowMs: number, withAnswers: boolean): TakenCommand[] {
    const live = [...this.taken.values()].filter((t) => now - Date.parse(t.issuedAt) <= windowMs);
    return withAnswers ? live : live.map(({ userId, commandId, issuedAt }) => ({ userId, commandId, issuedAt }));
  }
}
