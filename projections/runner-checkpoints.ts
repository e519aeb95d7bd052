import { START, comparePositions, positionToString, type Position } from '../eventstore/port';
import { readCheckpoint } from './checkpoints';
import type { ReadModelDb } from './db';
import type { Projection } from './projection';

/** Another writer (a rebuild CLI, a second projector) changed a checkpoint under this runner. */
export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
}

/** Whether an event at `position` is past a checkpoint (null: nothing applied yet). */
export const isAfter = (position: Position, checkpoint: Position | null): boolean => checkpoint === null || comparePositions(position, checkpoint) > 0;

/**
 * What the runner believes each projection's checkpoint is: the stored rows as it last read or wrote
 * them. Every commit first checks the stored ones still agree (verify), so a second writer is noticed.
 */
export class RunnerCheckpoints {
  private readonly positions = new Map<string, Position | null>();

  constructor(private readonly projections: readonly Projection[]) {}

  get(name: string): Position | null {
    return this.positions.get(name) ?? null;
  }

  set(name: string, position: Position | null): void {
    this.positions.set(name, position);
  }

  text(name: string): string {
    const cp = this.get(name);
    return cp === null ? 'start' : positionToString(cp);
  }

  /** The earliest checkpoint: the subscription starts there and each projection skips what it has. */
  earliest(): Position | null {
    let earliest: Position | null | undefined;
    for (const p of this.projections) {
      const cp = this.get(p.name);
      if (cp === null) return null;
      if (earliest === undefined || earliest === null || comparePositions(cp, earliest) < 0) earliest = cp;
    }
    return earliest ?? null;
  }

  /** The latest checkpoint of all; null when none has one yet. */
  latest(): Position | null {
    let latest: Position | null = null;
    for (const p of this.projections) {
      const cp = this.get(p.name);
      if (cp !== null && (latest === null || comparePositions(cp, latest) > 0)) latest = cp;
    }
    return latest;
  }

  /** Whether every projection has applied the log up to `target`. */
  reached(target: Position): boolean {
    if (comparePositions(target, START) === 0) return true;
    return this.projections.every((p) => {
      const cp = this.get(p.name);
      return cp !== null && comparePositions(cp, target) >= 0;
    });
  }

  /** The stored checkpoints must be the ones this runner believes in; otherwise someone else wrote. */
  verify(db: ReadModelDb): void {
    for (const p of this.projections) {
      const row = readCheckpoint(db, p.name);
      const mine = this.get(p.name);
      const same =
        row !== undefined &&
        row.version === p.version &&
        (row.position === null ? mine === null : mine !== null && comparePositions(row.position, mine) === 0);
      if (!same) {
        const theirs = row ? `${row.position === null ? 'start' : positionToString(row.position)} v${row.version}` : 'missing';
        throw new CheckpointMovedError(`Checkpoint of ${p.name} is ${theirs}, expected ${this.text(p.name)} v${p.version}`);
      }
    }
  }

  /** Where every projection stands, for logs and timeout messages. */
  describe(): string {
    return this.projections.map((p) => `${p.name}@${this.text(p.name)}`).join(', ');
  }
}
