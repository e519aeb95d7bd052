import { html, type SafeHtml } from './html';
import { when } from './layout';

/**
 * Small line charts drawn on the server as inline SVG: no script, no library, nothing the content
 * security policy has to allow (presentation attributes, not style attributes). Each chart is an image
 * with a title and a description, and the same figures are written beside it as text, so a screen
 * reader, a printout and a glance all read the numbers rather than the line.
 */
export interface Point {
  at: string;
  value: number;
}

export type Unit = 'seconds' | 'count';

export interface Figures {
  now: number;
  nowAt: string;
  min: number;
  max: number;
  samples: number;
}

/** The latest value and the extremes over the points, or nothing for no points (never a made-up zero). */
export function figuresOf(points: readonly Point[]): Figures | undefined {
  const last = points[points.length - 1];
  if (!last) return undefined;
  const values = points.map((p) => p.value);
  return { now: last.value, nowAt: last.at, min: Math.min(...values), max: Math.max(...values), samples: points.length };
}

/** Seconds as people read them (0.4 s, 12 s, 3.5 min, 2.1 h); counts as whole numbers. */
export function formatValue(value: number, unit: Unit): string {
  if (unit === 'count') return Math.round(value).toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs < 10) return `${Number(value.toFixed(abs < 1 ? 2 : 1))} s`;
  if (abs < 120) return `${Math.round(value)} s`;
  if (abs < 2 * 3600) return `${Number((value / 60).toFixed(1))} min`;
  return `${Number((value / 3600).toFixed(1))} h`;
}

const WIDTH = 320;
const HEIGHT = 120;
const LEFT = 48;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 20;
/** More points than the chart has pixels only hides spikes: beyond this, each slot of time keeps its highest value. */
export const MAX_DRAWN_POINTS = 240;

/** At most MAX_DRAWN_POINTS points, each the highest of its slot of the window, so no peak disappears. */
export function thin(points: readonly Point[], fromMs: number, toMs: number): Point[] {
  if (points.length <= MAX_DRAWN_POINTS) return [...points];
  const slotMs = Math.max(1, (toMs - fromMs) / MAX_DRAWN_POINTS);
  const slots = new Map<number, Point>();
  for (const point of points) {
    const slot = Math.floor((Date.parse(point.at) - fromMs) / slotMs);
    const kept = slots.get(slot);
    if (!kept || point.value > kept.value) slots.set(slot, point);
  }
  return [...slots.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
}

/** A round upper bound for the y axis: 1, 2 or 5 times a power of ten, at least the highest value. */
export function axisTop(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].map((m) => m * power).find((top) => top >= max) as number);
}

/** Hours and minutes on the axis; seconds too when the window is short enough that the minutes repeat. */
const clockFor = (spanMs: number) => (iso: string): string => iso.slice(11, spanMs < 10 * 60_000 ? 19 : 16);
const minuteOf = (iso: string): string => iso.slice(0, 16).replace('T', ' ');

export interface ChartOptions {
  /** Unique on the page: the SVG's title and description are referred to by it. */
  id: string;
  title: string;
  unit: Unit;
  points: readonly Point[];
  /** The window shown, ISO instants. */
  from: string;
  to: string;
  /** What the figures beside the chart add (e.g. a day's total). */
  extra?: SafeHtml;
}

/** One small chart with its figures, or the chart's title and a plain "no samples yet" when there are none. */
export function lineChart(options: ChartOptions): SafeHtml {
  const { id, title, unit, from, to } = options;
  const figures = figuresOf(options.points);
  if (!figures) {
    return html`<figure class="op-chart"><figcaption>${title}</figcaption><p class="muted">No samples yet.</p></figure>`;
  }
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const span = Math.max(1, toMs - fromMs);
  const clock = clockFor(span);
  const top = axisTop(figures.max);
  const x = (at: string): number => LEFT + ((Math.min(toMs, Math.max(fromMs, Date.parse(at))) - fromMs) / span) * (WIDTH - LEFT - RIGHT);
  const y = (value: number): number => TOP + (1 - Math.max(0, value) / top) * (HEIGHT - TOP - BOTTOM);
  const drawn = thin(options.points, fromMs, toMs);
  const coords = drawn.map((p) => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const shown = (v: number): string => formatValue(v, unit);
  const description =
    `${figures.samples} samples from ${minuteOf(from)} to ${minuteOf(to)} UTC: now ${shown(figures.now)}, ` +
    `lowest ${shown(figures.min)}, highest ${shown(figures.max)}.`;
  const baseline = HEIGHT - BOTTOM;
  return html`<figure class="op-chart">
    <figcaption>${title}</figcaption>
    <svg class="op-chart-svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc">
      <title id="${id}-title">${title}</title>
      <desc id="${id}-desc">${description}</desc>
      <line x1="${LEFT}" y1="${TOP}" x2="${WIDTH - RIGHT}" y2="${TOP}" stroke="#d0d7de" stroke-dasharray="3 3"/>
      <line x1="${LEFT}" y1="${baseline}" x2="${WIDTH - RIGHT}" y2="${baseline}" stroke="#57606a"/>
      <text x="${LEFT - 4}" y="${TOP + 4}" text-anchor="end" font-size="10" fill="#24292f">${shown(top)}</text>
      <text x="${LEFT - 4}" y="${baseline}" text-anchor="end" font-size="10" fill="#24292f">0</text>
      <text x="${LEFT}" y="${HEIGHT - 4}" font-size="10" fill="#24292f">${clock(from)}</text>
      <text x="${WIDTH - RIGHT}" y="${HEIGHT - 4}" text-anchor="end" font-size="10" fill="#24292f">${clock(to)} UTC</text>
      ${drawn.length > 1 ? html`<polyline points="${coords}" fill="none" stroke="#0b5394" stroke-width="2" stroke-linejoin="round"/>` : ''}
      ${drawn.length <= 60 ? drawn.map((p) => html`<circle cx="${x(p.at).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="2.5" fill="#0b5394"/>`) : ''}
    </svg>
    <dl class="op-figures">
      <div><dt>Now</dt><dd>${shown(figures.now)} <span class="muted">(${when(figures.nowAt)})</span></dd></div>
      <div><dt>Lowest, last day</dt><dd>${shown(figures.min)}</dd></div>
      <div><dt>Highest, last day</dt><dd>${shown(figures.max)}</dd></div>
      ${options.extra ?? ''}
    </dl>
  </figure>`;
}
