import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AccreditationGateway } from '../../api/accreditation-gateway';
import { createFrameworkRegister, type FrameworkRegister } from '../../api/framework-register';
import { loadConfig } from '../../config/config';
import { decideAccreditation, foldAccreditation, type AccreditationCommand, type AccreditationEvent } from '../../domain/accreditation';
import { allCriteria } from '../../domain/framework';
import type { Identity } from '../../identity';
import type { AccreditationActionInput } from '../../workflows/accreditation/messages';
import { composeOffice } from '../../server/compose';
import { FakeEventStore, officeWithFakes } from '../api/fakes';
import { MemoryStreams } from '../api/framework-register-store';
import { ENHANCED_SCORES, h, who } from '../domain/accreditation-fixtures';
import { FRAMEWORK_1_0 } from '../domain/framework-fixtures';
import { directorA, directorB, nextFramework } from '../domain/framework-fixtures-register';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { InjectBrowser as Browser } from './inject-browser';

/**
 * The director's renew form, scored against the framework in force now (1.1, which adds SEC-09 to the
 * 1.0 the grant was scored under), through HTTP, over a gateway that attaches that version and runs
 * the real decider, as the real one does.
 */
const PASSWORD = 'a long enough password';
const V1_1 = nextFramework('1.1', '2026-06-01T00:00:00.000Z');
const SEC_09_ENHANCED = allCriteria(V1_1).find((c) => c.id === 'SEC-09')?.minimum.enhanced ?? 0;
const STREAM = 'accreditation-ACC-1';

let dir: string;
let identity: Identity;
let store: FakeEventStore;
let register: FrameworkRegister;
let sent: AccreditationActionInput[];
let app: FastifyInstance;

function record(events: readonly AccreditationEvent[]): void {
  for (const event of events) store.add(STREAM, event.type, event.data, who.director);
}

const gateway: AccreditationGateway = {
  async submit() {
    throw new Error('not used');
  },
  async act(_applicationId, action) {
    sent.push(action);
    const history = (store.streams.get(STREAM) ?? []).map((r) => ({ type: r.type, data: r.data }) as AccreditationEvent);
    const framework = await register.inForce(new Date().toISOString());
    const data = action.type === 'Renew' ? { ...action.data, framework } : action.data;
    const ctx = { now: new Date().toISOString(), policy: loadConfig({}).accreditationPolicy, framework };
    const events = decideAccreditation({ type: action.type, actor: action.actor, data } as AccreditationCommand, foldAccreditation(history), ctx);
    record(events);
    return { state: foldAccreditation([...history, ...events]), revision: history.length + events.length - 1, complianceRefusals: [] };
  },
  async state() {
    return undefined;
  },
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'renewal-form-'));
  identity = await createTestIdentity();
  await seedEnrolledAccount(identity, { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director', password: PASSWORD });
  store = new FakeEventStore();
  record(h.renewalOpen);
  sent = [];
  // 1.1 was proposed and approved before it took effect, and is in force now.
  let clock = '2026-01-10T09:00:00.000Z';
  register = createFrameworkRegister({ eventStore: new MemoryStreams(), genesis: FRAMEWORK_1_0, now: () => new Date(clock) });
  await register.propose(directorA, { framework: V1_1, changes: 'Key rotation' });
  await register.approve(directorB, '1.1');
  clock = new Date().toISOString();
  app = composeOffice(officeWithFakes({ dataDir: dir, identity, eventStore: store }, { frameworkRegister: register, accreditationGateway: gateway }));
});

afterEach(async () => {
  await app.close();
  identity.close();
  rmSync(dir, { recursive: true, force: true });
});

async function director(): Promise<Browser> {
  const browser = new Browser(app);
  await browser.signIn('dawood', PASSWORD);
  return browser;
}

describe('the renew form', () => {
  it('shows a score field for every criterion of the version in force, naming the one the assessment did not score', async () => {
    const browser = await director();
    const res = await browser.request('GET', '/ui/accreditations/ACC-1');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Scores against framework 1.1, in force now');
    expect(res.body).toContain('1.1 has 1 criterion the assessment did not score: SEC-09.');
    expect(res.body).toContain('id="act-renew-score-SEC-09"');
    expect(res.body).toContain(`Assessment&#39;s score: ${ENHANCED_SCORES['SEC-01']}.`);
    expect(res.body).toContain('Not scored in the assessment: score it.');
  });

  it('refuses a renewal without the added criterion next to the scores, keeping the reasons typed', async () => {
    const browser = await director();
    const _csrf = await browser.csrf('/ui/accreditations/ACC-1');
    const res = await browser.request('POST', '/ui/accreditations/ACC-1/renew', { _csrf, reasons: 'Continued compliance' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="act-renew-scores-error">Framework 1.1, in force at renewal, has criteria not yet scored: SEC-09');
    expect(res.body).toContain('>Continued compliance</textarea>');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.data).toEqual({ reasons: 'Continued compliance' });
  });

  it('sends the typed scores with the renewal, which the version in force records', async () => {
    const browser = await director();
    const _csrf = await browser.csrf('/ui/accreditations/ACC-1');
    const res = await browser.request('POST', '/ui/accreditations/ACC-1/renew', { _csrf, reasons: 'Continued compliance', 'score-SEC-09': String(SEC_09_ENHANCED) });
    expect(res.statusCode).toBe(303);
    expect(sent.at(-1)?.data).toEqual({ reasons: 'Continued compliance', scores: { 'SEC-09': SEC_09_ENHANCED } });
    const renewed = store.streams.get(STREAM)?.at(-1);
    expect(renewed).toMatchObject({ type: 'AccreditationRenewed', data: { frameworkVersion: '1.1', scores: { 'SEC-09': SEC_09_ENHANCED } } });
  });

  it('refuses a score outside 0 to 5 next to its criterion, sending nothing', async () => {
    const browser = await director();
    const _csrf = await browser.csrf('/ui/accreditations/ACC-1');
    const res = await browser.request('POST', '/ui/accreditations/ACC-1/renew', { _csrf, reasons: 'Continued compliance', 'score-SEC-09': '9' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('SEC-09: enter a whole number from 0 to 5');
    expect(res.body).toContain('value="9"');
    expect(sent).toHaveLength(0);
  });
});
