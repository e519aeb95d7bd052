import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes every case process keeps current, so `temporal workflow list --query` and the
 * Temporal UI can filter cases. They must be registered in the namespace (scripts/start.ts does it).
 */
export const CaseKind = defineSearchAttributeKey('CaseKind', SearchAttributeType.KEYWORD);
export const CaseStatus = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);
export const Jurisdiction = defineSearchAttributeKey('Jurisdiction', SearchAttributeType.KEYWORD);
/**
 * `<cspId>/<offeringId>` on accreditation processes: an offering id is unique only within its CSP.
 * The gateway finds an offering's earlier rejections by it (cooling-off, SPEC §3.1).
 */
export const OfferingId = defineSearchAttributeKey('OfferingId', SearchAttributeType.KEYWORD);

export const CASE_SEARCH_ATTRIBUTES = ['CaseKind', 'CaseStatus', 'Jurisdiction', 'OfferingId'] as const;
