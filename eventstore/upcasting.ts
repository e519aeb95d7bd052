import type { z } from 'zod';
import { DomainError } from '../domain/shared/errors';

/**
 * Upcasting: an event keeps the schema version it was written with (metadata `schemaVersion`; absent
 * means 1, as events written before versions were recorded) and is lifted to the current version each
 * time it is read, one version at a time. The stored bytes never change, so the hash chain `npm run
 * verify` checks stays what was written; only readers see the current shape. The lifts themselves are
 * pure functions kept in `domain/` beside the schemas they translate between; this module, which
 * `domain/` does not import, chains them.
 */
export interface Upcaster {
  /** The version this lifts from, to `from + 1`. */
  readonly from: number;
  lift(data: unknown): unknown;
}

/**
 * An upcaster from version `from` whose input is first checked against that version's schema, so old
 * data that does not look like what its version wrote fails loudly instead of being lifted half right;
 * `lift` must produce the next version's input shape, which the compiler checks.
 */
export function upcaster<From extends z.ZodType, To extends z.ZodType>(
  from: number,
  schemas: { from: From; to: To },
  lift: (data: z.output<From>) => z.input<To>,
): Upcaster {
  return {
    from,
    lift: (data) => {
      const parsed = schemas.from.safeParse(data);
      if (!parsed.success) throw new DomainError('EVENT_SCHEMA_INVALID', `not version ${from} data: ${parsed.error.message}`);
      return lift(parsed.data);
    },
  };
}

/** For a next version that only adds optional fields: version `from` data is already valid next-version data. */
export function unchangedFrom(from: number): Upcaster {
  return { from, lift: (data) => data };
}

/** The version an event was written with: events written before versions were recorded are version 1. */
export function schemaVersionOf(metadata: unknown): number {
  const version = typeof metadata === 'object' && metadata !== null ? (metadata as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (version === undefined) return 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new DomainError('EVENT_SCHEMA_INVALID', `schema version ${String(version)} is not a whole number from 1`);
  }
  return version;
}

/**
 * Checks that `upcasters` lift every version before `current` exactly once, so that no stored version
 * can be left without a way to the current one. Run when a type is registered: a gap fails at start-up,
 * not on the first old event read.
 */
export function checkUpcasterChain(type: string, current: number, upcasters: readonly Upcaster[]): void {
  const from = upcasters.map((u) => u.from).sort((a, b) => a - b);
  const expected = Array.from({ length: current - 1 }, (_, i) => i + 1);
  if (from.length !== expected.length || from.some((v, i) => v !== expected[i])) {
    throw new Error(`Event type ${type} v${current}: upcasters must lift from ${expected.join(', ') || 'no version'}; they lift from ${from.join(', ') || 'none'}`);
  }
}

/** Lifts `data` written as `version` to `current`; throws when the version is newer than this code knows. */
export function upcast(type: string, version: number, current: number, upcasters: readonly Upcaster[], data: unknown): unknown {
  if (version > current) throw new DomainError('EVENT_SCHEMA_UNKNOWN', `${type} v${version} is newer than this code (v${current})`);
  let lifted = data;
  for (let v = version; v < current; v++) {
    const up = upcasters.find((u) => u.from === v);
    if (!up) throw new DomainError('EVENT_SCHEMA_UNKNOWN', `no upcaster for ${type} v${v}`);
    lifted = up.lift(lifted);
  }
  return lifted;
}
