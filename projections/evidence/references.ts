import type { DecodedEvent } from '../../eventstore/registry';
import { caseOwnerNamedBy, filesNamedBy } from '../../evidence/references';
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
  referencesTo(sha256: string): EvidenceReference[];
}

export function createEvidenceReferenceQueries(db: ReadModelDb): EvidenceReferenceQueries {
  // Prepared at the first question: the projector may create the tables after the API opened the file.
  let query: ReturnType<ReadModelDb['prepare']> | undefined;
  const prepare = (): ReturnType<ReadModelDb['prepare']> => db.prepare(
    `SELECT r.stream AS stream, o.csp_id AS cspId, r.filename AS filename, r.size AS size, r.content_type AS contentType
       FROM evidence_references r JOIN evidence_case_owners o ON o.stream = r.stream
      WHERE r.sha256 = ? ORDER BY r.stream, r.filename`,
  );
  return { referencesTo: (sha256) => (query ??= prepare()).all(sha256) as EvidenceReference[] };
}
