import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { allCriteria } from '../../domain/framework/schema';
import { officeProcesses, type Office, type OfficeAccount, type Reply } from './office';

/**
 * Mixed traffic at a steady, open-loop rate against an office run as an operator runs it, and what it
 * measures: every process's resident memory, unexpected answers, and read-model lag — the time from
 * a write's acceptance to its visibility in the read model it should change.
 *
 * Open loop: the n-th operation starts at n / rate seconds whatever the earlier ones are doing, so a
 * slow office is met with the same load, not a politer one. Each operation is one request; the reads
 * that poll for visibility come on top.
 */
export const PSE_ID = 'pse-soak';
export const CSP_ID = 'csp-soak';
export const SOAK_ACCOUNTS: OfficeAccount[] = [
  { username: 'soak-admin', role: 'admin', jurisdiction: 'federal' },
  { username: 'soak-pse', role: 'pse', jurisdiction: 'federal', organisation: PSE_ID },
  { username: 'soak-reviewer', role: 'reviewer', jurisdiction: 'federal' },
  { username: 'soak-security', role: 'security-reviewer', jurisdiction: 'federal' },
  { username: 'soak-director', role: 'director', jurisdiction: 'federal' },
  { username: 'soak-csp', role: 'csp', jurisdiction: 'federal', organisation: CSP_ID },
];

export interface SoakOptions {
  /** Minutes of traffic. */
  minutes: number;
  /** Operations started per second. */
  rate: number;
  /** Seconds between memory samples. */
  sampleSeconds: number;
  /** How long a write may take to show in its read model before it counts as an error. */
  visibilityTimeoutMs: number;
}

export interface MemorySample {
  seconds: number;
  rss: Record<string, number>;
}

export interface SoakResult {
  samples: MemorySample[];
  /** Read-model lag of each write whose visibility was awaited, ms. */
  lags: number[];
  /** Operations started, by kind. */
  operations: Record<string, number>;
  /** Requests sent, polls and retries included. */
  requests: number;
  /** Commands sent again with their Idempotency-Key after a 503 UNAVAILABLE. */
  retried: number;
  /** Unexpected answers, failed requests, writes never seen, processes restarted. */
  errors: string[];
  maxInFlight: number;
  /** CPU seconds each process used during the traffic. */
  cpuSeconds: Record<string, number>;
  /** The machine's one-minute load average at the end: a shared machine's share of blame. */
  loadAverage: number;
}

/** Attempts of a command the engine keeps answering 503 UNAVAILABLE for. */
const RETRIES = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const pick = <T>(items: readonly [T, ...T[]]): T => items[Math.floor(Math.random() * items.length)] ?? items[0];

const NOC_REQUEST = {
  deviation: 'other',
  description: 'Hosting exemption while the contract moves',
  justification: 'The migration is scheduled and funded',
  dataClass: 'public',
  systems: ['records-portal'],
  requestedMonths: 3,
};
const EVIDENCE = [{ kind: 'iso-27001', reference: 'ISO/IEC 27001 certificate IS 712345' }];
const frameworks = createFrameworkLibrary(loadConfig({}).framework);
const SCORES = Object.fromEntries(allCriteria(frameworks.load('1.0')).map((c) => [c.id, c.minimum.enhanced]));

/** A NOC the traffic drives: where it is, and whether its last step is still on its way. */
interface NocCase {
  nocId: string;
  status: string;
  recommendation?: 'approve' | 'reject';
  busy: boolean;
}

/** Steps an application takes until its offering is on the accredited list (offering, submit … decide). */
const LISTED_AFTER_STEP = 7;

/** One offering's way onto the accredited list and, later, off it. */
interface AccreditationCase {
  offeringId: string;
  applicationId?: string;
  step: number;
  busy: boolean;
}

export async function runSoak(office: Office, options: SoakOptions): Promise<SoakResult> {
  const token = (username: string) => office.tokens[username];
  const [admin, pse, reviewer, security, director, csp] = SOAK_ACCOUNTS.map((a) => token(a.username)) as [string, string, string, string, string, string];
  const result: SoakResult = { samples: [], lags: [], operations: {}, requests: 0, retried: 0, errors: [], maxInFlight: 0, cpuSeconds: {}, loadAverage: 0 };
  let offeringCounter = 0;

  /**
   * A request whose answer must be one of `expected`; anything else is an error. Every command carries
   * an Idempotency-Key and, as the API's 503 asks, is sent again with the same key while the process
   * engine has not answered (a few times, backing off): only a refusal that outlasts that is an error.
   */
  async function send(method: string, path: string, who: string | undefined, body: unknown, expected: number[]): Promise<Reply | undefined> {
    const headers: Record<string, string> = method === 'POST' ? { 'idempotency-key': `soak-${randomUUID()}` } : {};
    for (let attempt = 1; ; attempt += 1) {
      result.requests += 1;
      try {
        const reply = await office.call(method, path, who, body, headers);
        if (expected.includes(reply.status)) return reply;
        if (method === 'POST' && reply.status === 503 && reply.body.error?.code === 'UNAVAILABLE' && attempt < RETRIES) {
          result.retried += 1;
          await sleep(attempt * 1000);
          continue;
        }
        result.errors.push(`${method} ${path} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
      } catch (err) {
        result.errors.push(`${method} ${path} failed: ${(err as Error).message}`);
      }
      return undefined;
    }
  }

  /** Polls a read until it shows the write; records the lag from the write's acceptance. */
  async function visible(acceptedAt: number, what: string, read: () => Promise<boolean>): Promise<boolean> {
    for (;;) {
      if (await read()) {
        result.lags.push(Date.now() - acceptedAt);
        return true;
      }
      if (Date.now() - acceptedAt > options.visibilityTimeoutMs) {
        result.errors.push(`${what} not visible in its read model within ${options.visibilityTimeoutMs} ms`);
        return false;
      }
      await sleep(50);
    }
  }

  const registerShows = (nocId: string, status: string) => async () =>
    (await send('GET', `/api/nocs/${nocId}`, director, undefined, [200]))?.body.register?.status === status;
  const listed = async (offeringId: string) =>
    ((await send('GET', '/api/accredited-list', undefined, undefined, [200]))?.body.items as { offeringId: string }[] | undefined)?.some(
      (item) => item.offeringId === offeringId,
    );

  // ---- NOCs: requested, reviewed, recommended, decided, withdrawn (every case ends). ----
  const nocs: NocCase[] = [];

  async function nocStep(noc: NocCase, path: string, who: string, body: unknown, next: string): Promise<void> {
    noc.busy = true;
    const reply = await send('POST', `/api/nocs/${noc.nocId}/${path}`, who, body, [200]);
    if (reply === undefined) return void nocs.splice(nocs.indexOf(noc), 1);
    const acceptedAt = Date.now();
    noc.status = next;
    if (!(await visible(acceptedAt, `NOC ${noc.nocId} ${next}`, registerShows(noc.nocId, next)))) return void nocs.splice(nocs.indexOf(noc), 1);
    if (['withdrawn', 'rejected'].includes(next)) nocs.splice(nocs.indexOf(noc), 1);
    else noc.busy = false;
  }

  async function newNoc(): Promise<void> {
    const reply = await send('POST', '/api/nocs', pse, NOC_REQUEST, [201]);
    if (reply === undefined) return;
    const acceptedAt = Date.now();
    const noc: NocCase = { nocId: reply.body.state.request.nocId as string, status: 'requested', busy: true };
    nocs.push(noc);
    if (await visible(acceptedAt, `NOC ${noc.nocId} requested`, registerShows(noc.nocId, 'requested'))) noc.busy = false;
    else nocs.splice(nocs.indexOf(noc), 1);
  }

  function advanceNoc(noc: NocCase): Promise<void> {
    switch (noc.status) {
      case 'requested':
        return Math.random() < 0.2
          ? nocStep(noc, 'withdraw', pse, { reason: 'No longer needed' }, 'withdrawn')
          : nocStep(noc, 'start-review', reviewer, {}, 'under-review');
      case 'under-review':
        noc.recommendation = Math.random() < 0.75 ? 'approve' : 'reject';
        return nocStep(noc, 'recommend', reviewer, { recommendation: noc.recommendation, reasons: 'Weighed against the policy' }, 'awaiting-decision');
      case 'awaiting-decision': {
        const validUntil = new Date(Date.now() + 30 * 86_400_000).toISOString();
        const decision = noc.recommendation ?? 'approve';
        const body = decision === 'approve' ? { decision, reasons: 'Agreed', validUntil } : { decision, reasons: 'Not justified' };
        return nocStep(noc, 'decide', director, body, decision === 'approve' ? 'active' : 'rejected');
      }
      default:
        return nocStep(noc, 'withdraw', pse, { reason: 'Moved to an accredited offering' }, 'withdrawn');
    }
  }

  /** Advances a NOC that is ready, or requests a new one; open cases stay bounded. */
  function nocTraffic(): Promise<void> {
    const ready = nocs.filter((n) => !n.busy);
    const oldest = ready[0];
    if (oldest && (ready.length >= 4 || nocs.length >= 40 || Math.random() < 0.7)) return advanceNoc(oldest);
    if (nocs.length >= 40) return publicRead();
    return newNoc();
  }

  // ---- Accreditation: an offering added, applied for, screened, scored, reviewed, granted; later given up. ----
  const pipeline: AccreditationCase[] = [];
  const accredited: string[] = [];

  async function accreditationStep(acc: AccreditationCase): Promise<void> {
    acc.busy = true;
    const app = `/api/accreditations/${acc.applicationId}`;
    const steps: (() => Promise<boolean>)[] = [
      async () => {
        const offering = { offeringId: acc.offeringId, name: `Soak Cloud ${acc.offeringId}`, serviceModels: ['IaaS'], deploymentModel: 'government', dataCentres: [{ city: 'Islamabad', country: 'PK' }] };
        return (await send('POST', `/api/csps/${CSP_ID}/offerings`, csp, offering, [201])) !== undefined;
      },
      async () => {
        const reply = await send('POST', '/api/accreditations', csp, { offeringId: acc.offeringId, requestedBaseline: 'enhanced', evidence: EVIDENCE }, [201]);
        acc.applicationId = reply?.body.state.application.applicationId as string | undefined;
        return reply !== undefined;
      },
      async () => (await send('POST', `${app}/start-screening`, reviewer, {}, [200])) !== undefined,
      async () => (await send('POST', `${app}/complete-screening`, reviewer, { notes: 'Complete' }, [200])) !== undefined,
      async () => (await send('POST', `${app}/score`, reviewer, { scores: SCORES, rationale: 'Evidence reviewed' }, [200])) !== undefined,
      async () => (await send('POST', `${app}/security-review`, security, { outcome: 'passed', notes: 'Penetration test clean' }, [200])) !== undefined,
      async () => {
        const body = { decision: 'approve', baseline: 'intermediate', highestDataClass: 'restricted', reasons: 'Meets the intermediate baseline' };
        if ((await send('POST', `${app}/decide`, director, body, [200])) === undefined) return false;
        const ok = await visible(Date.now(), `offering ${acc.offeringId} listed`, async () => (await listed(acc.offeringId)) === true);
        if (ok) accredited.push(acc.offeringId);
        return ok;
      },
      async () => {
        accredited.splice(accredited.indexOf(acc.offeringId), 1);
        if ((await send('POST', `${app}/withdraw`, csp, { reason: 'Offering retired' }, [200])) === undefined) return false;
        return visible(Date.now(), `offering ${acc.offeringId} off the list`, async () => (await listed(acc.offeringId)) === false);
      },
    ];
    const step = steps[acc.step];
    const ok = step !== undefined && (await step());
    acc.step += 1;
    if (!ok || acc.step === steps.length) pipeline.splice(pipeline.indexOf(acc), 1);
    else acc.busy = false;
  }

  function accreditationTraffic(): Promise<void> {
    // A granted offering stays listed (procurement checks ask about it) until three later ones are.
    const ready = pipeline.find((a) => !a.busy && (a.step < LISTED_AFTER_STEP || accredited.length > 3));
    if (ready) return accreditationStep(ready);
    if (pipeline.filter((a) => a.step < LISTED_AFTER_STEP).length === 0) {
      offeringCounter += 1;
      const acc: AccreditationCase = { offeringId: `off-soak-${offeringCounter}`, step: 0, busy: false };
      pipeline.push(acc);
      return accreditationStep(acc);
    }
    return nocTraffic();
  }

  // ---- Public reads: the accredited list, the procurement check, the adoption figures. ----
  async function publicRead(): Promise<void> {
    const r = Math.random();
    if (r < 0.4) await send('GET', '/api/accredited-list', undefined, undefined, [200]);
    else if (r < 0.85) {
      const offering = pick(['off-soak-1', ...accredited]);
      await send('GET', `/api/procurement-check?pse=${PSE_ID}&offering=${offering}&dataClass=${pick(['open', 'public', 'restricted'])}`, undefined, undefined, [200]);
    } else await send('GET', '/api/adoption', undefined, undefined, [200]);
  }

  const operation = (): [string, () => Promise<void>] => {
    const r = Math.random();
    if (r < 0.35) return ['public-read', publicRead];
    if (r < 0.45) return ['accreditation', accreditationTraffic];
    return ['noc', nocTraffic];
  };

  // ---- Set-up: the entity on the PSE register, the provider on the CSP register, one listed offering. ----
  const entity = { pseId: PSE_ID, name: 'Soak Ministry', ministry: 'Soak Ministry', jurisdiction: 'federal' };
  const organisation = { cspId: CSP_ID, name: 'Soak Cloud (Pvt) Ltd', registrationNumber: '7654321', contact: { name: 'Soak Contact', email: 'soak@example.pk' } };
  if ((await send('POST', '/api/pses', admin, entity, [201])) === undefined || (await send('POST', '/api/csps', csp, organisation, [201])) === undefined) {
    return result;
  }
  offeringCounter = 1;
  const first: AccreditationCase = { offeringId: 'off-soak-1', step: 0, busy: false };
  pipeline.push(first);
  while (pipeline.includes(first) && first.step < LISTED_AFTER_STEP) await accreditationStep(first);

  // ---- Traffic and sampling. ----
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  const { pids: firstPids, cpuSeconds: cpuBefore } = officeProcesses(office.supervisor.pid as number);
  let minutesShown = 0;
  const sampler = setInterval(() => {
    const { rss, pids } = officeProcesses(office.supervisor.pid as number);
    const seconds = (Date.now() - started) / 1000;
    result.samples.push({ seconds, rss });
    if (seconds >= (minutesShown + 1) * 60) {
      // A long run shows it is alive, and how it goes, once a minute.
      minutesShown = Math.floor(seconds / 60);
      const memory = Object.entries(rss).map(([name, mb]) => `${name}=${mb.toFixed(0)}MB`).join(' ');
      process.stderr.write(`soak minute ${minutesShown}: requests=${result.requests} errors=${result.errors.length} retried=${result.retried} ${memory}\n`);
    }
    for (const [name, pid] of Object.entries(firstPids)) {
      if (pids[name] !== pid) result.errors.push(`${name} (pid ${pid}) is ${pids[name] === undefined ? 'gone' : `now pid ${pids[name]}`}`);
    }
  }, options.sampleSeconds * 1000);
  result.samples.push({ seconds: 0, rss: officeProcesses(office.supervisor.pid as number).rss });

  const total = Math.round(options.minutes * 60 * options.rate);
  for (let n = 0; n < total; n += 1) {
    await sleep(started + (n * 1000) / options.rate - Date.now());
    const [kind, run] = operation();
    result.operations[kind] = (result.operations[kind] ?? 0) + 1;
    const op = run().catch((err: unknown) => void result.errors.push(`${kind} threw: ${(err as Error).stack ?? String(err)}`));
    inFlight.add(op);
    void op.finally(() => inFlight.delete(op));
    result.maxInFlight = Math.max(result.maxInFlight, inFlight.size);
  }
  await Promise.all(inFlight);
  clearInterval(sampler);
  const end = officeProcesses(office.supervisor.pid as number);
  result.samples.push({ seconds: (Date.now() - started) / 1000, rss: end.rss });
  result.cpuSeconds = Object.fromEntries(Object.entries(end.cpuSeconds).map(([name, s]) => [name, s - (cpuBefore[name] ?? 0)]));
  result.loadAverage = loadavg()[0] ?? 0;
  return result;
}
