import type { EventStore, Position } from '../../eventstore/port';
import type { DecodedEvent } from '../../eventstore/registry';
import { caseOwnerNamedBy, filesNamedBy } from '../../evidence/references';
import { readCheckpoint } from '../checkpoints';
import type { ReadModelDb } from '../db';
import { statementCache, type Projection } from '../projection';

/**
 * Which cases name which evidence files, and whose cases they are: what the download route asks before
 * it hands out a file (a file is anyone's who may see a case that names it, and no one else's).
 */
const TABLES = `
CREATE TABLE IF NOT EXISTS evidence_case_owners (
  stream TEXT PRIMARY KEY,
  csp_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS evidence_references (
  sha256 TEXT NOT NULL,
  stream TEXT NOT NULL,
  filename TEXT NOT NULL,
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  PRIMARY KEY (sha256, stream, filename)
) WITHOUT ROWID;
`;

const HANDLED = new Set(['AccreditationSubmitted', 'AccreditationInformationProvided', 'ReviewOpened', 'ReviewEvidenceSubmitted']);

const statements = statementCache((db: ReadModelDb) => ({
  owner: db.prepare('INSERT OR REPLACE INTO evidence_case_owners (stream, csp_id) VALUES (?, ?)'),
  reference: db.prepare('INSERT OR IGNORE INTO evidence_references (sha256, stream, filename, size, content_type) VALUES (?, ?, ?, ?, ?)'),
}));

export const evidenceReferencesProjection: Projection = {
  name: 'evidence-references',
  version: 1,
  setup(db) {
    db.exec(TABLES);
  },
  handles: (type) => HANDLED.has(type),
  apply(db, event: DecodedEvent) {
    const s = statements.get(db);
    const owner = caseOwnerNamedBy(event.type, event.data);
    if (owner !== undefined) s.owner.run(event.stream, owner);
    for (const file of filesNamedBy(event.type, event.data)) s.reference.run(file.sha256, event.stream, file.filename, file.size, file.contentType);
  },
  reset(db) {
    db.exec('DROP TABLE IF EXISTS evidence_references; DROP TABLE IF EXISTS evidence_case_owners;');
    statements.clear(db);
  },
};

/** A case that names a file, with the provider it belongs to and the file as the case recorded it. */
export interface EvidenceReference {
  stream: string;
  cspId: string;
  filename: string;
  size: number;
  contentType: string;
}

export interface EvidenceReferenceQueries {
  referencesTo(sha256: string): EvidenceReference[] | Promise<EvidenceReference[]>;
}

/**
 * Events past the projection's checkpoint read on each question, at most: the lag of a read model that
 * keeps up is a handful; one this far behind is rebuilding, and its files answer once it has caught up.
 */
export const CATCH_UP_LIMIT = 2_000;

/**
 * The cases that name a file. With the event store, the answer is the read model's rows plus the events
 * it has not applied yet (read after its checkpoint, which is read first so no event falls between the
 * two): a file named by a case just submitted opens at once, for exactly the people the read model will
 * let open it once it has caught up.
 */
export function createEvidenceReferenceQueries(db: ReadModelDb, events?: Pick<EventStore, 'readAll'>): EvidenceReferenceQueries {
  // Prepared at the first question: the projector may create the tables after the API opened the file.
  let query: ReturnType<ReadModelDb['prepare']> | undefined;
  let ownerQuery: ReturnType<ReadModelDb['prepare']> | undefined;
  const projected = (sha256: string): EvidenceReference[] =>
    (query ??= db.prepare(
      `SELECT r.stream AS stream, o.csp_id AS cspId, r.filename AS filename, r.size AS size, r.content_type AS contentType
         FROM evidence_references r JOIN evidence_case_owners o ON o.stream = r.stream
        WHERE r.sha256 = ? ORDER BY r.stream, r.filename`,
    )).all(sha256) as EvidenceReference[];
  const projectedOwner = (stream: string): string | undefined =>
    ((ownerQuery ??= db.prepare('SELECT csp_id AS cspId FROM evidence_case_owners WHERE stream = ?')).get(stream) as { cspId: string } | undefined)?.cspId;

  async function pending(sha256: string, after: Position | null): Promise<EvidenceReference[]> {
    if (events === undefined) return [];
    const tail = await events.readAll({ ...(after === null ? {} : { after }), maxCount: CATCH_UP_LIMIT });
    const owners = new Map<string, string>();
    const named: Omit<EvidenceReference, 'cspId'>[] = [];
    for (const event of tail) {
      const owner = caseOwnerNamedBy(event.type, event.data);
      if (owner !== undefined) owners.set(event.stream, owner);
      for (const file of filesNamedBy(event.type, event.data)) {
        if (file.sha256 === sha256) named.push({ stream: event.stream, filename: file.filename, size: file.size, contentType: file.contentType });
      }
    }
    // A case's owner is named by its first event, which the read model has applied or the tail holds.
    return named.flatMap((ref) => {
      const cspId = owners.get(ref.stream) ?? projectedOwner(ref.stream);
      return cspId === undefined ? [] : [{ ...ref, cspId }];
    });
  }

  return {
    async referencesTo(sha256) {
      const checkpoint = events === undefined ? undefined : readCheckpoint(db, evidenceReferencesProjection.name);
      const rows = projected(sha256);
      return [...rows, ...(await pending(sha256, checkpoint?.position ?? null))];
    },
  };
}
