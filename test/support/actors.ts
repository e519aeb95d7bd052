import type { Actor } from '../../domain/shared/actor';

export const pse = (org = 'pse-moitt', jurisdiction: Actor['jurisdiction'] = 'federal', userId = 'u-pse'): Actor => ({
  userId,
  name: 'PSE officer',
  role: 'pse',
  jurisdiction,
  organisationId: org,
});
export const reviewer: Actor = { userId: 'u-rev', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' };
export const director: Actor = { userId: 'u-dir', name: 'Dawood Director', role: 'director', jurisdiction: 'federal' };
export const director2: Actor = { userId: 'u-dir2', name: 'Dua Director', role: 'director', jurisdiction: 'federal' };
export const officer = (jurisdiction: Actor['jurisdiction'], userId: string): Actor => ({
  userId,
  name: `Officer ${userId}`,
  role: 'provincial-officer',
  jurisdiction,
});
