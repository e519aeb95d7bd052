import type { EvidenceFile } from '../domain/shared/evidence-file';

/** The event types that may name evidence files, and where in their data. */
export const EVENTS_WITH_FILES = ['AccreditationSubmitted', 'AccreditationInformationProvided', 'ReviewEvidenceSubmitted'] as const;

type WithFiles = { files?: EvidenceFile[] };

/**
 * The evidence files an event names: the files of each evidence item of an application or of an
 * answer to a request for information, the files of a review's evidence. Other events name none.
 */
export function filesNamedBy(type: string, data: unknown): EvidenceFile[] {
  switch (type) {
    case 'AccreditationSubmitted':
    case 'AccreditationInformationProvided':
      return ((data as { evidence?: WithFiles[] }).evidence ?? []).flatMap((item) => item.files ?? []);
    case 'ReviewEvidenceSubmitted':
      return (data as WithFiles).files ?? [];
    default:
      return [];
  }
}

/** The provider whose case an event opens, for the events that say so. */
export function caseOwnerNamedBy(type: string, data: unknown): string | undefined {
  return type === 'AccreditationSubmitted' || type === 'ReviewOpened' ? (data as { cspId: string }).cspId : undefined;
}
