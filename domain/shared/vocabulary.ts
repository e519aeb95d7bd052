import { z } from 'zod';

/** The policy's data classes, from least to most sensitive. Order matters: it is used for comparisons. */
export const DATA_CLASSES = ['open', 'public', 'restricted', 'confidential', 'secret'] as const;
export const DataClass = z.enum(DATA_CLASSES);
export type DataClass = z.infer<typeof DataClass>;

/** Security baselines, from lowest to highest. */
export const BASELINES = ['baseline', 'intermediate', 'enhanced', 'highest'] as const;
export const Baseline = z.enum(BASELINES);
export type Baseline = z.infer<typeof Baseline>;

export const JURISDICTIONS = [
  'federal',
  'punjab',
  'sindh',
  'khyber-pakhtunkhwa',
  'balochistan',
  'gilgit-baltistan',
  'azad-jammu-kashmir',
] as const;
export const Jurisdiction = z.enum(JURISDICTIONS);
export type Jurisdiction = z.infer<typeof Jurisdiction>;

export const ROLES = [
  'csp',
  'pse',
  'reviewer',
  'security-reviewer',
  'director',
  'provincial-officer',
  'auditor',
  'admin',
] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Roles whose members work inside one organisation (a provider or a public service entity). */
export const ORGANISATION_ROLES: readonly Role[] = ['csp', 'pse'];

/** An instant as the system writes and reads it: ISO 8601 with an offset (dates travel as ISO strings). */
export const IsoDateTime = z.iso.datetime({ offset: true });
