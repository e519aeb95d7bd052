import { z } from 'zod';
import { Jurisdiction } from '../../domain/shared/vocabulary';
import type { ReadModelDb } from '../db';

/**
 * The PSE register as a list: the entities the adoption read model keeps from `PseRegistered` events
 * (its `adoption_pses` table), so the list and the figures always agree on who is registered.
 */
export const PseEntry = z.object({
  pseId: z.string(),
  name: z.string(),
  ministry: z.string(),
  jurisdiction: Jurisdiction,
  registeredAt: z.string(),
});
export type PseEntry = z.infer<typeof PseEntry>;

export interface PseRegisterQueries {
  /** Every registered entity, or one jurisdiction's, by jurisdiction then name. Callers apply who may see what. */
  list(filter: { jurisdiction?: Jurisdiction }): PseEntry[];
}

const LIST_SQL = `
SELECT pse_id AS pseId, name, ministry, jurisdiction, registered_at AS registeredAt FROM adoption_pses
WHERE @jurisdiction IS NULL OR jurisdiction = @jurisdiction
ORDER BY jurisdiction, name, pse_id`;

export function createPseRegisterQueries(db: ReadModelDb): PseRegisterQueries {
  // Prepared on first use: the adoption projection creates the table when the runner sets it up.
  let statement: ReturnType<ReadModelDb['prepare']> | undefined;
  return {
    list(filter) {
      statement ??= db.prepare(LIST_SQL);
      return statement.all({ jurisdiction: filter.jurisdiction ?? null }) as PseEntry[];
    },
  };
}
