import { z } from 'zod';
import { NOTICE_KINDS } from '../../projections/notices/messages';

export const InboxItemSchema = z.object({
  id: z.string(),
  kind: z.enum(NOTICE_KINDS),
  subject: z.string(),
  body: z.string(),
  /** The case the notice is about: its stream, e.g. `noc-NOC-1`. */
  caseStream: z.string(),
  createdAt: z.string(),
  read: z.boolean(),
});

export const InboxList = z.object({ items: z.array(InboxItemSchema), unread: z.number().int().nonnegative() });

/** Without ids, every notice of the inbox is marked read. */
export const MarkReadBody = z.object({
  ids: z.array(z.string().trim().min(1, 'must not be empty').max(300, 'must be at most 300 characters')).max(200, 'must name at most 200 notices').optional(),
});

export const MarkReadResult = z.object({ marked: z.number().int().nonnegative() });
