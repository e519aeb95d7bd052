import type { PseCommand } from '../../domain/pse/commands';
import { decidePse } from '../../domain/pse/decide';
import { evolvePse } from '../../domain/pse/evolve';
import type { PseEvent } from '../../domain/pse/events';
import type { PseState } from '../../domain/pse/state';
import type { Actor } from '../../domain/shared/actor';
import type { DataClass, Jurisdiction } from '../../domain/shared/vocabulary';
import { streamName } from '../../eventstore/envelope';
import { answer } from '../domain/pse-fixtures';
import { pse } from '../support/actors';
import { CaseScript } from '../support/case-script';
import type { TestLog } from './support';

const ADMIN: Actor = { userId: 'u-admin', name: 'Admin', role: 'admin', jurisdiction: 'federal' };
/** Every entity registers at this instant. */
export const REGISTERED_AT = '2025-01-06T09:00:00.000Z';

/** One entity's register stream, command by command through the real decider and envelope code. */
export class PseScript {
  private readonly script: CaseScript<PseState, PseCommand, PseEvent>;
  /** Where the entity is now: its officers' accounts follow a move. */
  private currentJurisdiction: Jurisdiction;

  constructor(
    private readonly log: TestLog,
    readonly pseId: string,
    ministry: string,
    readonly jurisdiction: Jurisdiction,
  ) {
    this.currentJurisdiction = jurisdiction;
    this.script = new CaseScript<PseState, PseCommand, PseEvent>({
      stream: streamName('pse', pseId),
      correlationId: `pse:${pseId}`,
      policyVersion: 'pse-register-1',
      initial: { status: 'none' },
      decide: (command, state, now) => decidePse(command, state, { now }),
      evolve: evolvePse,
    });
    this.run({ type: 'RegisterPse', actor: ADMIN, data: { pseId, name: `Entity ${pseId}`, ministry, jurisdiction } }, REGISTERED_AT);
  }

  /** `nocId`: for `allowed-by-noc`, the NOC the check named. */
  record(procurementId: string, decision: 'allowed' | 'allowed-by-noc', at: string, offeringId = 'off-gov', dataClass: DataClass = 'public', nocId = 'noc-1'): this {
    const check = answer(decision, { pseId: this.pseId, offeringId, dataClass });
    if (check.noc) check.noc = { ...check.noc, nocId };
    this.run({ type: 'RecordProcurement', actor: this.officer, data: { procurementId, offeringId, dataClass, system: 'System', check } }, at);
    return this;
  }

  end(procurementId: string, at: string): this {
    this.run({ type: 'EndProcurement', actor: this.officer, data: { procurementId, reason: 'Decommissioned' } }, at);
    return this;
  }

  /** A federal administrator corrects the entry's name or ministry. */
  correct(data: { name?: string; ministry?: string }, at: string): this {
    this.run({ type: 'CorrectPseDetails', actor: ADMIN, data: { ...data, reason: 'Renamed by notification' } }, at);
    return this;
  }

  /** A federal administrator moves the entity; its officers' accounts follow it. */
  move(jurisdiction: Jurisdiction, at: string): this {
    this.run({ type: 'ChangePseJurisdiction', actor: ADMIN, data: { jurisdiction, reason: 'Devolved' } }, at);
    this.currentJurisdiction = jurisdiction;
    return this;
  }

  private get officer(): Actor {
    return pse(this.pseId, this.currentJurisdiction);
  }

  private run(command: PseCommand, now: string): void {
    this.log.append(this.script.take(command, now));
  }
}

