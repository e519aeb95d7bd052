import type { Actor } from '../domain/shared/actor';
import type { Jurisdiction } from '../domain/shared/vocabulary';
import type { AdoptionFigures } from '../projections/adoption/queries';

/**
 * The adoption figures of one jurisdiction: its row by jurisdiction, its ministries, and totals that
 * are that row's (zeros when nothing is recorded there yet). The figures are public, so any jurisdiction
 * may be asked for; a provincial officer's pages ask for their own by default.
 */
export function adoptionIn(figures: AdoptionFigures, jurisdiction: Jurisdiction): AdoptionFigures {
  const row = figures.byJurisdiction.find((r) => r.jurisdiction === jurisdiction);
  // Zeros for every figure the totals carry, so a figure added later is covered too.
  const zero = Object.fromEntries(Object.keys(figures.totals).map((key) => [key, 0])) as AdoptionFigures['totals'];
  const { jurisdiction: _own, ...totals } = row ?? { jurisdiction, ...zero };
  return {
    ...figures,
    totals,
    byJurisdiction: row ? [row] : [],
    byMinistry: figures.byMinistry.filter((r) => r.jurisdiction === jurisdiction),
  };
}

/** The jurisdiction a person's views narrow to unless they ask otherwise: a province's officers see their province. */
export function homeJurisdiction(actor: Actor | undefined): Jurisdiction | undefined {
  return actor?.role === 'provincial-officer' ? actor.jurisdiction : undefined;
}
