import { join } from 'node:path';
import { openOperationsSamples, SERIES, type OperationsSamples } from '../../metrics/samples';
import { openPageHarness, type PageHarness } from './page-harness';

/**
 * The operators' page (/ui/operations) over a samples file written as the worker and the projector
 * write it: its charts and figures, its "no samples yet" before any sampling, and who may see it.
 */
let harness: PageHarness;
let dataDir: string;
let samples: OperationsSamples;

beforeEach(async () => {
  harness = await openPageHarness({
    name: 'operations-page',
    env: { OPERATIONS_SAMPLE_SECONDS: '30' },
    people: [
      { username: 'ayesha', role: 'admin', jurisdiction: 'federal', displayName: 'Ayesha Admin' },
      { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
      { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
    ],
    deps: ({ config }) => {
      dataDir = config.dataDir;
      return {};
    },
  });
  samples = openOperationsSamples(join(dataDir, 'operations.db'));
});

afterEach(async () => {
  samples.close();
  await harness.close();
});

const ago = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

/** Two samplings of each process, ten and five minutes ago, and one from two days ago that the page must leave out. */
function writeHistory(): string {
  const first = ago(10);
  samples.record(ago(2 * 24 * 60), [{ series: SERIES.mailOutboxBacklog, labels: {}, value: 999 }]);
  samples.record(first, [
    { series: SERIES.timersFired, labels: { kind: 'noc.expiry' }, value: 2 },
    { series: SERIES.timerLatenessMax, labels: { kind: 'noc.expiry' }, value: 1.5 },
    { series: SERIES.timerLatenessP99, labels: { kind: 'noc.expiry' }, value: 1.5 },
    { series: SERIES.timersFired, labels: {}, value: 2 },
    { series: SERIES.projectionLagSeconds, labels: { model: 'noc_register' }, value: 0 },
    { series: SERIES.projectionLagEvents, labels: { model: 'noc_register' }, value: 0 },
    { series: SERIES.mailOutboxBacklog, labels: {}, value: 4 },
    { series: SERIES.mailDeliveryFailures, labels: {}, value: 3 },
    { series: SERIES.openCases, labels: { kind: 'noc', jurisdiction: 'punjab' }, value: 2 },
  ]);
  samples.record(ago(5), [
    { series: SERIES.timersFired, labels: {}, value: 0 },
    { series: SERIES.projectionLagSeconds, labels: { model: 'noc_register' }, value: 7 },
    { series: SERIES.projectionLagEvents, labels: { model: 'noc_register' }, value: 12 },
    { series: SERIES.mailOutboxBacklog, labels: {}, value: 1 },
    { series: SERIES.mailDeliveryFailures, labels: {}, value: 0 },
    { series: SERIES.openCases, labels: { kind: 'noc', jurisdiction: 'sindh' }, value: 1 },
  ]);
  return first;
}

/** The figures written beside the chart whose caption is `caption`. */
function figuresOf(body: string, caption: string): Record<string, string> {
  const figure = new RegExp(`<figcaption>${caption}</figcaption>([\\s\\S]*?)</figure>`).exec(body);
  if (!figure) throw new Error(`no chart captioned ${caption}`);
  const pairs = [...figure[1]!.matchAll(/<dt>([^<]+)<\/dt><dd>([^<]*)/g)].map((m) => [m[1]!, m[2]!.trim()]);
  return Object.fromEntries(pairs);
}

describe('the operations page', () => {
  it('says no samples have been taken yet, per process, and shows no figure, before the first sampling', async () => {
    const admin = await harness.signedIn('ayesha');
    const res = await admin.request('GET', '/ui/operations');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Operations</h1>');
    expect(res.body).toContain('<a href="/ui/operations" aria-current="page">Operations</a>');
    expect(res.body).toContain('No samples yet: the worker records these figures every 30 s');
    expect(res.body.match(/No samples yet: the projector records these figures every 30 s/g)).toHaveLength(3);
    expect(res.body).not.toContain('<svg');
    expect(res.body).not.toContain('<dd>');
  });

  it('draws the last day of each figure with its current value, lowest and highest, and leaves out older samples', async () => {
    const first = writeHistory();
    const director = await harness.signedIn('dawood');
    const { statusCode, body } = await director.request('GET', '/ui/operations');
    expect(statusCode).toBe(200);
    expect(body).toContain('<title id="timer-noc-expiry-title">noc.expiry: greatest lateness per interval</title>');
    expect(figuresOf(body, 'noc.expiry: greatest lateness per interval')).toEqual({
      Now: '1.5 s',
      'Lowest, last day': '1.5 s',
      'Highest, last day': '1.5 s',
      'Fired, last day': '2',
      'p99, latest interval': '1.5 s',
    });
    expect(figuresOf(body, 'Worst read model')).toMatchObject({ Now: '7 s', 'Lowest, last day': '0 s', 'Highest, last day': '7 s' });
    expect(body).toMatch(/<th scope="row">noc_register<\/th><td>7 s<\/td><td>12<\/td><td>7 s<\/td>/);
    expect(figuresOf(body, 'Notices not mailed yet')).toMatchObject({ Now: '1', 'Lowest, last day': '1', 'Highest, last day': '4' });
    expect(figuresOf(body, 'Failed delivery attempts per interval')).toMatchObject({ Now: '0', 'Highest, last day': '3', 'Failed, last day': '3' });
    // A province with no open case at a sampling had none then: 0, not a gap.
    expect(figuresOf(body, 'NOCs, Punjab')).toMatchObject({ Now: '0', 'Lowest, last day': '0', 'Highest, last day': '2' });
    expect(figuresOf(body, 'NOCs, Sindh')).toMatchObject({ Now: '1', 'Lowest, last day': '0', 'Highest, last day': '1' });
    expect(body).not.toContain('999');
    // The charts run from the day's first sampling, not from a day ago.
    expect(body).toContain(`<desc id="mail-backlog-desc">2 samples from ${first.slice(0, 16).replace('T', ' ')} to `);
  });

  it('says so when the worker sampled but no timer fired in the day', async () => {
    samples.record(ago(3), [{ series: SERIES.timersFired, labels: {}, value: 0 }]);
    const admin = await harness.signedIn('ayesha');
    expect((await admin.request('GET', '/ui/operations')).body).toMatch(/No timer fired in the last day \(1 sampling by the worker, the last <time/);
  });

  it('is refused to other staff, whose navigation does not offer it', async () => {
    const reviewer = await harness.signedIn('rania');
    const res = await reviewer.request('GET', '/ui/operations');
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('The operations page is for administrators and directors');
    expect(res.body).not.toContain('href="/ui/operations"');
  });

  it('sends a visitor to sign in', async () => {
    const res = await harness.visitor().request('GET', '/ui/operations');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/ui/login?reason=required&next=%2Fui%2Foperations');
  });
});
