import { labelKey, SERIES, type OperationsSamples, type SampleRow, type SeriesName } from '../metrics/samples';
import { figuresOf, formatValue, lineChart, type Point } from './charts';
import { html, type SafeHtml } from './html';
import { label, when } from './layout';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A series' rows grouped by label set, each group's points oldest first. */
function grouped(rows: readonly SampleRow[]): Map<string, { labels: Record<string, string>; points: Point[] }> {
  const groups = new Map<string, { labels: Record<string, string>; points: Point[] }>();
  for (const row of rows) {
    const key = labelKey(row.labels);
    const group = groups.get(key) ?? { labels: row.labels, points: [] };
    group.points.push({ at: row.at, value: row.value });
    groups.set(key, group);
  }
  return groups;
}

/** At each instant the rows were sampled, the highest value among them (the worst read model's lag). */
function highestPerInstant(rows: readonly SampleRow[]): Point[] {
  const byAt = new Map<string, number>();
  for (const row of rows) byAt.set(row.at, Math.max(byAt.get(row.at) ?? -Infinity, row.value));
  return [...byAt].map(([at, value]) => ({ at, value }));
}

/** A gauge the projector leaves out when it is zero (no open case there), as 0 at every instant the projector sampled. */
function withZeros(points: readonly Point[], instants: readonly string[]): Point[] {
  const byAt = new Map(points.map((p) => [p.at, p.value]));
  return instants.map((at) => ({ at, value: byAt.get(at) ?? 0 }));
}

const total = (points: readonly Point[]): number => points.reduce((sum, p) => sum + p.value, 0);
const slug = (text: string): string => text.replace(/[^a-z0-9]+/gi, '-').toLowerCase();

function notSampledYet(process: 'worker' | 'projector', sampleSeconds: number): SafeHtml {
  return html`<p class="muted">No samples yet: the ${process} records these figures every ${sampleSeconds} s (<code>OPERATIONS_SAMPLE_SECONDS</code>); none is in the last day.</p>`;
}

function timerSection(read: (s: SeriesName) => SampleRow[], window: { from: string; to: string }, sampleSeconds: number): SafeHtml {
  const fired = read(SERIES.timersFired);
  const heartbeat = fired.filter((r) => Object.keys(r.labels).length === 0);
  if (heartbeat.length === 0) return notSampledYet('worker', sampleSeconds);
  const firedByKind = grouped(fired.filter((r) => r.labels.kind !== undefined));
  const p99ByKind = grouped(read(SERIES.timerLatenessP99));
  const kinds = [...grouped(read(SERIES.timerLatenessMax)).values()].sort((a, b) => (a.labels.kind ?? '').localeCompare(b.labels.kind ?? ''));
  const last = heartbeat[heartbeat.length - 1] as SampleRow;
  if (kinds.length === 0) {
    const samplings = `${heartbeat.length} ${heartbeat.length === 1 ? 'sampling' : 'samplings'}`;
    return html`<p>No timer fired in the last day (${samplings} by the worker, the last ${when(last.at)}).</p>`;
  }
  return html`<p>Each point is the greatest lateness among the timers of that kind that fired in one sampling interval: the instant a timer's event was recorded minus the instant it was due.</p>
    <div class="op-charts">${kinds.map(({ labels, points }) => {
      const key = labelKey(labels);
      const p99 = figuresOf(p99ByKind.get(key)?.points ?? []);
      return lineChart({
        id: `timer-${slug(labels.kind ?? '')}`,
        title: `${labels.kind ?? ''}: greatest lateness per interval`,
        unit: 'seconds',
        points,
        ...window,
        extra: html`<div><dt>Fired, last day</dt><dd>${formatValue(total(firedByKind.get(key)?.points ?? []), 'count')}</dd></div>${
          p99 ? html`<div><dt>p99, latest interval</dt><dd>${formatValue(p99.now, 'seconds')}</dd></div>` : ''
        }`,
      });
    })}</div>`;
}

function projectorSections(read: (s: SeriesName) => SampleRow[], window: { from: string; to: string }, sampleSeconds: number): SafeHtml {
  const backlog = read(SERIES.mailOutboxBacklog);
  if (backlog.length === 0) {
    return html`<h2>Projection lag</h2>${notSampledYet('projector', sampleSeconds)}<h2>Mail outbox</h2>${notSampledYet('projector', sampleSeconds)}<h2>Open cases per province</h2>${notSampledYet('projector', sampleSeconds)}`;
  }
  const instants = backlog.map((r) => r.at);
  const lagRows = read(SERIES.projectionLagSeconds);
  const lagByModel = [...grouped(lagRows).values()].sort((a, b) => (a.labels.model ?? '').localeCompare(b.labels.model ?? ''));
  const eventsByModel = grouped(read(SERIES.projectionLagEvents));
  const failures = read(SERIES.mailDeliveryFailures).map((r) => ({ at: r.at, value: r.value }));
  const open = [...grouped(read(SERIES.openCases)).values()].sort(
    (a, b) => (a.labels.kind ?? '').localeCompare(b.labels.kind ?? '') || (a.labels.jurisdiction ?? '').localeCompare(b.labels.jurisdiction ?? ''),
  );
  return html`<h2>Projection lag</h2>
    <p>How old the oldest event is that a read model has not applied yet (0 when it has caught up).</p>
    <div class="op-charts">${lineChart({ id: 'lag-worst', title: 'Worst read model', unit: 'seconds', points: highestPerInstant(lagRows), ...window })}</div>
    <table class="op-table">
      <caption>Lag per read model</caption>
      <thead><tr><th scope="col">Read model</th><th scope="col">Lag now</th><th scope="col">Events behind now</th><th scope="col">Highest lag, last day</th></tr></thead>
      <tbody>${lagByModel.map(({ labels, points }) => {
        const lag = figuresOf(points);
        const events = figuresOf(eventsByModel.get(labelKey(labels))?.points ?? []);
        return html`<tr><th scope="row">${labels.model ?? ''}</th><td>${lag ? formatValue(lag.now, 'seconds') : '—'}</td><td>${
          events ? formatValue(events.now, 'count') : '—'
        }</td><td>${lag ? formatValue(lag.max, 'seconds') : '—'}</td></tr>`;
      })}</tbody>
    </table>
    <h2>Mail outbox</h2>
    <div class="op-charts">
      ${lineChart({ id: 'mail-backlog', title: 'Notices not mailed yet', unit: 'count', points: backlog.map((r) => ({ at: r.at, value: r.value })), ...window })}
      ${lineChart({
        id: 'mail-failures',
        title: 'Failed delivery attempts per interval',
        unit: 'count',
        points: failures,
        ...window,
        extra: html`<div><dt>Failed, last day</dt><dd>${formatValue(total(failures), 'count')}</dd></div>`,
      })}
    </div>
    <h2>Open cases per province</h2>
    ${
      open.length === 0
        ? html`<p>No case was open at any sample of the last day.</p>`
        : html`<p>Cases not closed yet, by kind and jurisdiction (accreditation is the federal office's alone).</p>
          <div class="op-charts">${open.map(({ labels, points }) =>
            lineChart({
              id: `open-${slug(labels.kind ?? '')}-${slug(labels.jurisdiction ?? '')}`,
              title: `${labels.kind === 'noc' ? 'NOCs' : `${label(labels.kind ?? '')} cases`}, ${label(labels.jurisdiction ?? '')}`,
              unit: 'count',
              points: withZeros(points, instants),
              ...window,
            }),
          )}</div>`
    }`;
}

/** The operators' page's main content: the last day of every figure the samplers keep, read at `now`. */
export function operationsView(samples: OperationsSamples, now: Date, sampleSeconds: number): SafeHtml {
  const to = now.toISOString();
  const from = new Date(now.getTime() - DAY_MS).toISOString();
  const read = (series: SeriesName): SampleRow[] => samples.read(series, from).filter((r) => r.at <= to);
  // Charts start at the day's first sampling: an office started an hour ago gets an hour wide, not a sliver.
  const firsts = [read(SERIES.timersFired)[0]?.at, read(SERIES.mailOutboxBacklog)[0]?.at].filter((at): at is string => at !== undefined).sort();
  const window = { from: firsts[0] ?? from, to };
  return html`<h1>Operations</h1>
    <p>The last day of the figures each process also serves at <code>/metrics</code>, as the worker and the projector sampled them (every ${sampleSeconds} s); each chart runs from the day's first sampling to now. Times are UTC.</p>
    <h2>Timer lateness</h2>
    ${timerSection(read, window, sampleSeconds)}
    ${projectorSections(read, window, sampleSeconds)}`;
}
