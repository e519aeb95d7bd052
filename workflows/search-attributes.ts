import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes every case process keeps current, so `temporal workflow list --query` and the
 * Temporal UI can filter cases. They must be registered in the namespace (scripts/start.ts does it).
 */
export const CaseKind = defineSearchAttributeKey('CaseKind', SearchAttributeType.KEYWORD);
export const CaseStatus = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);
export const Jurisdiction = defineSearchAttributeKey('Jurisdiction', SearchAttributeType.KEYWORD);

export const CASE_SEARCH_ATTRIBUTES = ['CaseKind', 'CaseStatus', 'Jurisdiction'] as const;
