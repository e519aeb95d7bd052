import { z } from 'zod';
import { ProcurementAnswer } from '../procurement/answer';
import type { Actor } from '../shared/actor';
import { AmendmentReason, Procurement, PseDetails } from './events';

const Text = z.string().trim().min(1);

/** Payloads of the PSE register's commands; the actor is added by the authenticated edge. */
export const PseCommandPayloads = {
  RegisterPse: PseDetails.extend({ pseId: Text.max(100) }),
  /**
   * The procurement check's answer is computed by the caller from the read models and travels in the
   * command: the decider stays pure, and the answer is what the entity was told when it acted.
   */
  RecordProcurement: Procurement.extend({ check: ProcurementAnswer }),
  /** The name or ministry as they should read (either may be left as it is), and why. */
  CorrectPseDetails: z.object({ name: PseDetails.shape.name.optional(), ministry: PseDetails.shape.ministry.optional(), reason: AmendmentReason }),
  /** The entity moves to another jurisdiction (a federal administrator's decision), and why. */
  ChangePseJurisdiction: z.object({ jurisdiction: PseDetails.shape.jurisdiction, reason: AmendmentReason }),
  /** The workload left the offering. */
  EndProcurement: z.object({ procurementId: Text, reason: Text.max(2000) }),
} as const;

type Payloads = typeof PseCommandPayloads;
export type PseCommandType = keyof Payloads;
export type PseCommand = { [K in PseCommandType]: { type: K; actor: Actor; data: z.output<Payloads[K]> } }[PseCommandType];
export type PseCommandOf<K extends PseCommandType> = Extract<PseCommand, { type: K }>;
