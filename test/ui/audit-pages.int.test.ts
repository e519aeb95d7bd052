import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { generateNocHistories } from '../../bench/fixtures';
import { createAuditThread, type AuditThread } from '../../api/audit-thread';
import { Checkpointer } from '../../eventstore/integrity/checkpoint';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner } from '../../eventstore/integrity/signing';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { EventStore } from '../../eventstore/port';
import { type Identity } from '../../identity';
import { composeOffice } from '../../server/compose';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { officeWithFakes } from '../api/fakes';
import { InjectBrowser } from './inject-browser';

/**
 * The auditor's pages: a read model as of an instant, the verification of the history, a case dossier.
 * The replays and verifications run on the audit thread over the store's file, as the API runs them.
 */
const PASSWORD = 'a long enough password';
let dir: string;
let store: EventStore;
let identity: Identity;
let app: FastifyInstance;
let thread: AuditThread;
let stream: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-ui-'));
  store = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db') }));
  for (const h of generateNocHistories(60, { seed: 5 })) await store.append(h.stream, h.events, 'no-stream');
  stream = (await store.readAll({ maxCount: 1 }))[0]?.stream as string;
  const signer = loadAuditSigner({ file: join(dir, 'key.pem') });
  await new Checkpointer(store, signer).checkpoint('2026-01-01T00:00:00.000Z');
  identity = await createTestIdentity();
  await seedEnrolledAccount(identity, { username: 'asma', role: 'auditor', jurisdiction: 'federal', displayName: 'Asma Auditor', password: PASSWORD });
  await seedEnrolledAccount(identity, { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director', password: PASSWORD });
  thread = createAuditThread({ eventStorePath: join(dir, 'events.db'), trustedKeys: { [signer.keyId]: signer.publicKeyPem } });
  app = composeOffice(officeWithFakes({ dataDir: dir, identity, eventStore: store }, { audit: { store, trustedKeys: { [signer.keyId]: signer.publicKeyPem }, thread } }));
});

afterAll(async () => {
  await app.close();
  await thread.close();
  identity.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the auditor pages', () => {
  it('show a read model rebuilt as of an instant, and refuse a malformed instant next to its field', async () => {
    const browser = new InjectBrowser(app);
    await browser.signIn('asma', PASSWORD);
    const now = await browser.request('GET', '/ui/audit/as-of?model=noc-register&asOf=');
    expect(now.statusCode).toBe(200);
    expect(now.body).toContain('noc-register as of now');
    expect(now.body).toContain('Rebuilt from the 61 events');
    const past = await browser.request('GET', '/ui/audit/as-of?model=noc-register&asOf=2000-01-01T00:00:00Z');
    expect(past.body).toContain('Rebuilt from the 0 events');
    const bad = await browser.request('GET', '/ui/audit/as-of?model=noc-register&asOf=last+tuesday');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/class="field-error"[^>]*>An ISO-8601 instant/);
    expect(bad.body).toContain('value="last tuesday"');
    // The table and cursor come from the page's links: one that is not the model's is said above the form.
    const stray = await browser.request('GET', '/ui/audit/as-of?model=noc-register&asOf=&table=noc_tasks');
    expect(stray.statusCode).toBe(400);
    expect(stray.body).toMatch(/class="error-summary"[\s\S]*noc-register has no table noc_tasks; its tables are noc_history, noc_register/);
  });

  it('show the verification result, and where the history was altered', async () => {
    const browser = new InjectBrowser(app);
    await browser.signIn('asma', PASSWORD);
    const intact = await browser.request('GET', '/ui/audit/verification');
    expect(intact.body).toContain('Intact: 61 events');
    const dossier = await browser.request('GET', `/ui/audit/cases/${stream}/dossier`);
    expect(dossier.headers['content-type']).toContain('text/html');
    expect(dossier.body).toContain(`Decision dossier: ${stream}`);

    const raw = new Database(join(dir, 'events.db'));
    raw.prepare("UPDATE events SET data = json_set(data, '$.justification', 'edited') WHERE stream = ? AND revision = 0").run(stream);
    raw.close();
    const broken = await browser.request('GET', '/ui/audit/verification');
    expect(broken.body).toContain('Not intact');
    expect(broken.body).toContain(`<td>${stream}</td><td>0</td><td>changed</td>`);
  });

  it('are for auditors only', async () => {
    const browser = new InjectBrowser(app);
    await browser.signIn('dawood', PASSWORD);
    expect((await browser.request('GET', '/ui/audit/verification')).statusCode).toBe(403);
  });
});
