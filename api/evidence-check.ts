import { DomainError } from '../domain/shared/errors';
import type { EvidenceFile } from '../domain/shared/evidence-file';
import { filesNamedBy } from '../evidence/references';
import { sniffContentType } from '../evidence/sniff';
import type { ApiDeps } from './deps';

/** A file named in a command, with the body field that names it. */
interface Named {
  file: EvidenceFile;
  field: string;
}

function namedFiles(command: string, data: unknown): Named[] {
  switch (command) {
    case 'Submit':
    case 'ProvideInformation':
      return ((data as { evidence?: { files?: EvidenceFile[] }[] }).evidence ?? []).flatMap((item, i) =>
        (item.files ?? []).map((file, j) => ({ file, field: `evidence.${i}.files.${j}` })),
      );
    case 'SubmitEvidence':
      return filesNamedBy('ReviewEvidenceSubmitted', data).map((file, i) => ({ file, field: `files.${i}` }));
    default:
      return [];
  }
}

/**
 * Before a command that names evidence files reaches its process: every file must have been uploaded,
 * and its size and type must be what the office found when it was (so the event records the truth).
 * A hash nobody uploaded is refused, naming the field; nothing is written.
 */
export async function requireStoredEvidence(deps: ApiDeps, command: string, data: unknown): Promise<void> {
  const named = namedFiles(command, data);
  if (named.length === 0) return;
  if (deps.evidence === undefined) throw new DomainError('UNAVAILABLE', 'Evidence files are not available on this server');
  for (const { file, field } of named) {
    const content = await deps.evidence.store.read(file.sha256);
    if (content === undefined) {
      throw new DomainError('EVIDENCE_FILE_UNKNOWN', `No evidence file ${file.sha256} was uploaded; upload it first (POST /api/evidence)`, `${field}.sha256`);
    }
    if (content.length !== file.size) {
      throw new DomainError('VALIDATION_FAILED', `The file ${file.sha256} has ${content.length} bytes, not ${file.size}`, `${field}.size`);
    }
    const found = sniffContentType(content, file.contentType);
    if (found !== file.contentType) {
      throw new DomainError('VALIDATION_FAILED', `The file ${file.sha256} is ${found ?? 'of no accepted type'}, not ${file.contentType}`, `${field}.contentType`);
    }
  }
}
