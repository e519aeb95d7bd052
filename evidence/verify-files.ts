import type { EventStore, Position } from '../eventstore/port';
import type { EvidenceStore } from './port';
import { filesNamedBy } from './references';

/** A file an event names that is not there, or whose bytes no longer hash to its name. */
export interface EvidenceFinding {
  /** The case's stream, e.g. review-REV-1. */
  stream: string;
  revision: number;
  sha256: string;
  filename: string;
  problem: 'missing' | 'altered';
}

export interface EvidenceReport {
  /** Distinct files checked. */
  checked: number;
  findings: EvidenceFinding[];
}

const PAGE = 1000;

/**
 * Every evidence file any event names, read back and hashed: the events are the record of what was
 * handed in, so a file gone or changed is a finding naming the case, the event and the hash. A file
 * named by several events is hashed once and reported at each.
 */
export async function verifyEvidenceFiles(events: Pick<EventStore, 'readAll'>, files: Pick<EvidenceStore, 'check'>): Promise<EvidenceReport> {
  const outcomes = new Map<string, 'intact' | 'missing' | 'altered'>();
  const findings: EvidenceFinding[] = [];
  let after: Position | undefined;
  for (;;) {
    const page = await events.readAll({ ...(after === undefined ? {} : { after }), maxCount: PAGE });
    for (const event of page) {
      for (const file of filesNamedBy(event.type, event.data)) {
        let outcome = outcomes.get(file.sha256);
        if (outcome === undefined) {
          outcome = await files.check(file.sha256);
          outcomes.set(file.sha256, outcome);
        }
        if (outcome !== 'intact') findings.push({ stream: event.stream, revision: event.revision, sha256: file.sha256, filename: file.filename, problem: outcome });
      }
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]?.position;
  }
  return { checked: outcomes.size, findings };
}
