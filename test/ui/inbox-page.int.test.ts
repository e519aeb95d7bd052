import type { FastifyInstance } from 'fastify';
import { createInbox } from '../../api/inbox';
import { loadConfig } from '../../config/config';
import type { Identity } from '../../identity';
import { noticesProjection } from '../../projections/notices/notices';
import { createInboxQueries } from '../../projections/notices/inbox';
import { composeOffice } from '../../server/compose';
import { FakeEventStore, officeWithFakes } from '../api/fakes';
import { SYSTEM_ACTOR, TestLog, memoryDb, project } from '../projections/support';
import { director, pse, reviewer } from '../support/actors';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { InjectBrowser } from './inject-browser';

/** The inbox page over the notices of one approved and reminded NOC of pse-moitt. */
const PASSWORD = 'a long enough password';
let identity: Identity;
let app: FastifyInstance;

beforeEach(async () => {
  identity = await createTestIdentity();
  await seedEnrolledAccount(identity, { username: 'sana', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'Sana Officer', password: PASSWORD });
  const db = memoryDb(noticesProjection);
  const log = new TestLog();
  const noc = log.nocCase({ nocId: 'NOC-9', requestedMonths: 3 }, pse(), '2025-01-06T09:00:00.000Z');
  noc.later(1).act('StartReview', reviewer, {});
  noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
  noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
  noc.at('2025-04-01T00:00:00.000Z').act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 30 });
  project(db, [noticesProjection], log.events);
  app = composeOffice(officeWithFakes({ dataDir: loadConfig({}).dataDir, identity, eventStore: new FakeEventStore() }, { inbox: createInbox(createInboxQueries(db), identity) }));
});

afterEach(async () => {
  await app.close();
  identity.close();
});

describe('the inbox page', () => {
  it('lists the notices with the unread count in the navigation, and marks them read', async () => {
    const browser = new InjectBrowser(app);
    await browser.signIn('sana', PASSWORD);
    const page = await browser.request('GET', '/ui/inbox');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Inbox <span class="badge">2<span class="visually-hidden"> unread</span></span>');
    expect(page.body).toContain('NOC NOC-9: expiry reminder');
    expect(page.body).toContain('NOC NOC-9 is approved, valid from 2025-02-01 until 2025-05-01.');
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const done = await browser.request('POST', '/ui/inbox/read', { _csrf });
    expect(done.statusCode).toBe(303);
    const after = await browser.request('GET', '/ui/inbox?done=read');
    expect(after.body).toContain('No unread notices.');
    expect(after.body).not.toContain('class="badge"');
  });

  it('lets the person set their own address, and keeps what they typed when it is refused', async () => {
    const browser = new InjectBrowser(app);
    await browser.signIn('sana', PASSWORD);
    const _csrf = await browser.csrf('/ui/inbox');
    const refused = await browser.request('POST', '/ui/inbox/email', { _csrf, email: 'not-an-address' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('value="not-an-address"');
    expect(refused.body).toContain('email: must be an email address');
    const saved = await browser.request('POST', '/ui/inbox/email', { _csrf, email: 'Sana@MoITT.gov.pk' });
    expect(saved.statusCode).toBe(303);
    expect(identity.findAccount('sana')?.email).toBe('sana@moitt.gov.pk');
  });
});
