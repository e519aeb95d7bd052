/**
 * The unread badge every signed-in page shows (api/inbox.ts unreadCount), over a read model with many
 * staff notices: a reviewer's count, an entity officer's count and a reviewer's full inbox list, each
 * the mean of repeated calls against files on disk, as the API reads them.
 */
import { join } from 'node:path';
import { createInbox } from '../api/inbox';
import type { Actor } from '../domain/shared/actor';
import { openSqliteEventStore } from '../eventstore/sqlite/sqlite-event-store';
import { createIdentity } from '../identity';
import { openReadModelDb } from '../projections/db';
import { createInboxQueries } from '../projections/notices/inbox';
import { noticesProjection } from '../projections/notices/notices';
import type { Audience } from '../projections/notices/recipients';
import { registerBench, type BenchContext } from './registry';

const NOTICES = 20_000;
const CALLS = 200;
const ADMIN: Actor = { userId: 'bench-admin', name: 'Bench admin', role: 'admin', jurisdiction: 'federal' };

/** Every fifth notice an entity's, the rest staff tasks across roles and jurisdictions, some excluding the reader. */
function audienceOf(i: number, reviewerId: string): Audience {
  if (i % 5 === 0) return { kind: 'pse', organisationId: `pse-${i % 40}` };
  const roles = i % 3 === 0 ? ['director' as const] : ['reviewer' as const];
  const jurisdiction = i % 7 === 0 ? ('sindh' as const) : ('federal' as const);
  return { kind: 'staff', roles, jurisdiction, excludedUserIds: i % 11 === 0 ? [reviewerId] : [] };
}

async function inboxBench({ scale, tmpDir, log }: BenchContext): Promise<void> {
  const total = Math.max(100, Math.round(NOTICES * scale));
  const store = await openSqliteEventStore({ path: join(tmpDir, 'inbox-events.db') });
  const identity = createIdentity({ path: join(tmpDir, 'inbox-identity.db'), sessionTtlHours: 1, store });
  const reviewerAccount = await identity.createAccount(ADMIN, { username: 'bench.reviewer', role: 'reviewer', jurisdiction: 'federal', password: 'a long enough bench secret' });
  const officerAccount = await identity.createAccount(ADMIN, { username: 'bench.officer', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-0', password: 'a long enough bench secret' });
  const reviewer: Actor = { userId: reviewerAccount.id, name: 'Bench reviewer', role: 'reviewer', jurisdiction: 'federal' };
  const officer: Actor = { userId: officerAccount.id, name: 'Bench officer', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-0' };

  const path = join(tmpDir, 'inbox-read-models.db');
  const writer = openReadModelDb(path);
  noticesProjection.setup(writer);
  const insert = writer.prepare(`INSERT INTO notices (id, kind, subject, body, audience, audience_kind, organisation_id, jurisdiction, case_stream, event_type, created_at, created_at_ms)
    VALUES (?, 'task-waiting', ?, ?, ?, ?, ?, ?, ?, 'NocRequested', ?, ?)`);
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  writer.transaction(() => {
    for (let i = 0; i < total; i++) {
      const a = audienceOf(i, reviewer.userId);
      const at = start + i * 60_000;
      insert.run(`n-${i}`, `Task waiting: NOC-${i}`, `NOC-${i} waits in the queue. `.repeat(6), JSON.stringify(a), a.kind, a.kind === 'staff' ? null : a.organisationId, a.kind === 'staff' ? a.jurisdiction : null, `noc-NOC-${i}`, new Date(at).toISOString(), at);
    }
  })();
  writer.close();

  const reader = openReadModelDb(path, { readonly: true });
  const inbox = createInbox(createInboxQueries(reader), identity);
  // Half of the reviewer's inbox read, as a person who keeps up would have it.
  const shown = inbox.list(reviewer);
  identity.markNoticesRead(reviewer.userId, shown.filter((_, i) => i % 2 === 0).map((n) => n.id));

  const mean = (fn: () => unknown): string => {
    fn();
    const began = performance.now();
    for (let i = 0; i < CALLS; i++) fn();
    return `${((performance.now() - began) / CALLS).toFixed(3)} ms`;
  };
  log(`   ${total.toLocaleString('en-US')} notices; the reviewer's inbox shows ${shown.length}, ${inbox.unreadCount(reviewer)} unread`);
  log(`   unread badge, reviewer:        ${mean(() => inbox.unreadCount(reviewer))} per call (mean of ${CALLS})`);
  log(`   unread badge, entity officer:  ${mean(() => inbox.unreadCount(officer))} per call`);
  log(`   inbox list, reviewer:          ${mean(() => inbox.list(reviewer))} per call`);
  reader.close();
  identity.close();
  await store.close();
}

registerBench('inbox unread badge', inboxBench);
