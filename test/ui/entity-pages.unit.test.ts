import type { PseGateway } from '../../api/pse-gateway';
import { decidePse, foldPse, type PseCommand, type PseEvent } from '../../domain/pse';
import { DomainError } from '../../domain/shared/errors';
import type { PseRegisterQueries } from '../../projections/pse/entities';
import { openPageHarness, type PageHarness } from './page-harness';

/** The entity register's pages, through HTTP, over an in-memory register that runs the real decider. */
const NOW = '2026-12-01T09:00:00.000Z';

let page: PageHarness;
let streams: Map<string, PseEvent[]>;

function run(pseId: string, command: PseCommand) {
  const history = streams.get(pseId) ?? [];
  const events = decidePse(command, foldPse(history), { now: NOW });
  streams.set(pseId, [...history, ...events]);
  return { state: foldPse(streams.get(pseId) ?? []), revision: (streams.get(pseId) ?? []).length - 1 };
}

const gateway: PseGateway = {
  register: async (actor, payload) => {
    if (streams.has(payload.pseId)) throw new DomainError('PSE_ALREADY_REGISTERED', `PSE ${payload.pseId} is already registered`, 'pseId');
    return run(payload.pseId, { type: 'RegisterPse', actor, data: payload });
  },
  correct: async (actor, pseId, data) => run(pseId, { type: 'CorrectPseDetails', actor, data }),
  changeJurisdiction: async (actor, pseId, data) => run(pseId, { type: 'ChangePseJurisdiction', actor, data }),
  recordProcurement: async () => {
    throw new Error('not used');
  },
  endProcurement: async () => {
    throw new Error('not used');
  },
  state: async (pseId) => (streams.has(pseId) ? { state: foldPse(streams.get(pseId) ?? []), revision: 0 } : undefined),
};

const register: PseRegisterQueries = {
  list: () =>
    [...streams.values()]
      .map((events) => foldPse(events))
      .flatMap((s) => (s.status === 'registered' ? [{ pseId: s.pseId, name: s.name, ministry: s.ministry, jurisdiction: s.jurisdiction, registeredAt: s.registeredAt }] : [])),
};

beforeEach(async () => {
  streams = new Map();
  const admin = { userId: 'seed', name: 'Seed', role: 'admin', jurisdiction: 'federal' } as const;
  run('pse-pitb', { type: 'RegisterPse', actor: admin, data: { pseId: 'pse-pitb', name: 'Punjab IT Board', ministry: 'S&GAD', jurisdiction: 'punjab' } });
  run('pse-sindh-health', { type: 'RegisterPse', actor: admin, data: { pseId: 'pse-sindh-health', name: 'Sindh Health', ministry: 'Health', jurisdiction: 'sindh' } });
  page = await openPageHarness({
    name: 'entity-pages',
    people: [
      { username: 'amna', role: 'admin', jurisdiction: 'federal', displayName: 'Amna Admin' },
      { username: 'pervaiz', role: 'provincial-officer', jurisdiction: 'punjab', displayName: 'Pervaiz Officer' },
      { username: 'sana', role: 'provincial-officer', jurisdiction: 'sindh', displayName: 'Sana Officer' },
      { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
    ],
    deps: () => ({ pseGateway: gateway, pseRegister: register }),
  });
});

afterEach(() => page.close());

const signedIn = (username: string) => page.signedIn(username);

describe('the entity register pages', () => {
  it("list a provincial officer's own province's entities only, and register one there through the form", async () => {
    const officer = await signedIn('pervaiz');
    const list = await officer.request('GET', '/ui/entities');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/ui/entities"');
    expect(list.body).toContain('Punjab IT Board');
    expect(list.body).not.toContain('Sindh Health');
    expect(list.body).toContain('<option value="punjab" selected>Punjab</option>');
    expect(list.body).not.toContain('<option value="sindh"');

    const _csrf = await officer.csrf('/ui/entities');
    const res = await officer.request('POST', '/ui/entities', { _csrf, pseId: 'pse-lda', name: 'Lahore Development Authority', ministry: 'Housing', jurisdiction: 'punjab' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/ui/entities/pse-lda?done=registered');
    const shown = await officer.request('GET', '/ui/entities/pse-lda?done=registered');
    expect(shown.body).toContain('The entity is on the register.');
    expect(shown.body).toContain('<h1>Lahore Development Authority</h1>');
  });

  it('keeps what was typed and names the field when a registration is refused', async () => {
    const officer = await signedIn('pervaiz');
    const _csrf = await officer.csrf('/ui/entities');
    const taken = await officer.request('POST', '/ui/entities', { _csrf, pseId: 'pse-pitb', name: 'Another board', ministry: 'Planning', jurisdiction: 'punjab' });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('<a href="#register-pseId">Entity id: PSE pse-pitb is already registered</a>');
    expect(taken.body).toContain('value="Another board"');
    const elsewhere = await officer.request('POST', '/ui/entities', { _csrf, pseId: 'pse-kwsc', name: 'Karachi Water', ministry: 'Local Government', jurisdiction: 'sindh' });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.body).toContain('Jurisdiction: You register entities of the punjab jurisdiction only, not of sindh');
    expect(elsewhere.body).toContain('value="Karachi Water"');
    const blank = await officer.request('POST', '/ui/entities', { _csrf, pseId: '', name: 'Nameless', ministry: '', jurisdiction: 'punjab' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('href="#register-ministry"');
    expect(streams.has('pse-kwsc')).toBe(false);
  });

  it('correct an entity with a reason, show the correction in its history, and keep the form as typed when it changes nothing', async () => {
    const officer = await signedIn('pervaiz');
    const page = await officer.request('GET', '/ui/entities/pse-pitb');
    expect(page.body).toContain('value="Punjab IT Board"');
    expect(page.body).not.toContain('Move to another jurisdiction');
    const _csrf = await officer.csrf('/ui/entities/pse-pitb');

    const same = await officer.request('POST', '/ui/entities/pse-pitb/details', { _csrf, name: 'Punjab IT Board', ministry: 'S&GAD', reason: 'Checking' });
    expect(same.statusCode).toBe(422);
    expect(same.body).toContain('Name: PSE pse-pitb already has this name and ministry');
    expect(same.body).toContain('>Checking</textarea>');

    const done = await officer.request('POST', '/ui/entities/pse-pitb/details', { _csrf, name: 'Punjab Information Technology Board', ministry: 'S&GAD', reason: 'Full name per notification' });
    expect(done.statusCode).toBe(303);
    const shown = await officer.request('GET', '/ui/entities/pse-pitb?done=corrected');
    expect(shown.body).toContain('Corrected: Name: Punjab IT Board → Punjab Information Technology Board');
    expect(shown.body).toContain('Full name per notification');
  });

  it("let only a federal administrator move an entity, after which the old province's officer finds it as missing", async () => {
    const officer = await signedIn('pervaiz');
    const csrfOfficer = await officer.csrf('/ui/entities/pse-pitb');
    const refused = await officer.request('POST', '/ui/entities/pse-pitb/jurisdiction', { _csrf: csrfOfficer, jurisdiction: 'sindh', reason: 'Try' });
    expect(refused.statusCode).toBe(403);

    const admin = await signedIn('amna');
    const page = await admin.request('GET', '/ui/entities/pse-pitb');
    expect(page.body).toContain('Move to another jurisdiction');
    const _csrf = await admin.csrf('/ui/entities/pse-pitb');
    const unreasoned = await admin.request('POST', '/ui/entities/pse-pitb/jurisdiction', { _csrf, jurisdiction: 'sindh', reason: '' });
    expect(unreasoned.statusCode).toBe(400);
    expect(unreasoned.body).toContain('href="#move-reason"');
    expect(unreasoned.body).toContain('<option value="sindh" selected>Sindh</option>');
    const moved = await admin.request('POST', '/ui/entities/pse-pitb/jurisdiction', { _csrf, jurisdiction: 'sindh', reason: 'Transferred by notification' });
    expect(moved.statusCode).toBe(303);
    expect((await admin.request('GET', '/ui/entities/pse-pitb')).body).toContain('Moved: Jurisdiction: Punjab → Sindh');

    const gone = await officer.request('GET', '/ui/entities/pse-pitb');
    const missing = await officer.request('GET', '/ui/entities/pse-none');
    expect(gone.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect((await (await signedIn('sana')).request('GET', '/ui/entities/pse-pitb')).statusCode).toBe(200);
  });

  it('are not for staff who do not keep the register', async () => {
    const reviewer = await signedIn('rania');
    expect((await reviewer.request('GET', '/ui/entities')).statusCode).toBe(403);
    expect((await reviewer.request('GET', '/ui/queue')).body).not.toContain('href="/ui/entities"');
  });
});
