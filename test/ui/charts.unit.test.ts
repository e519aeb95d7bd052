import { axisTop, figuresOf, formatValue, lineChart, MAX_DRAWN_POINTS, thin, type Point } from '../../ui/charts';

/** The operators' page's small charts: inline SVG with a title, a description and the figures as text. */
const FROM = '2026-12-05T12:00:00.000Z';
const TO = '2026-12-06T12:00:00.000Z';
const minute = (n: number): string => new Date(Date.parse(FROM) + n * 60_000).toISOString();

describe('the figures beside a chart', () => {
  it('are the latest value and the lowest and highest of the day', () => {
    const points: Point[] = [
      { at: minute(0), value: 4 },
      { at: minute(1), value: 9 },
      { at: minute(2), value: 2 },
    ];
    expect(figuresOf(points)).toEqual({ now: 2, nowAt: minute(2), min: 2, max: 9, samples: 3 });
  });

  it('are none at all for no points, never a zero', () => {
    expect(figuresOf([])).toBeUndefined();
  });

  it('write seconds as people read them, and counts as whole numbers', () => {
    expect(formatValue(0.123, 'seconds')).toBe('0.12 s');
    expect(formatValue(4.56, 'seconds')).toBe('4.6 s');
    expect(formatValue(45, 'seconds')).toBe('45 s');
    expect(formatValue(600, 'seconds')).toBe('10 min');
    expect(formatValue(3 * 3600, 'seconds')).toBe('3 h');
    expect(formatValue(1234, 'count')).toBe('1,234');
  });
});

describe('a line chart', () => {
  it('is an SVG image named by its title and described with the same figures written beside it', () => {
    const markup = lineChart({ id: 'mail-backlog', title: 'Notices not mailed yet', unit: 'count', points: [{ at: minute(0), value: 3 }, { at: minute(30), value: 1 }], from: FROM, to: TO }).value;
    expect(markup).toContain('role="img" aria-labelledby="mail-backlog-title mail-backlog-desc"');
    expect(markup).toContain('<title id="mail-backlog-title">Notices not mailed yet</title>');
    expect(markup).toContain('<desc id="mail-backlog-desc">2 samples from 2026-12-05 12:00 to 2026-12-06 12:00 UTC: now 1, lowest 1, highest 3.</desc>');
    expect(markup).toMatch(/<dt>Now<\/dt><dd>1 <span class="muted">\(<time datetime="2026-12-05T12:30:00.000Z">2026-12-05 12:30 UTC<\/time>\)<\/span><\/dd>/);
    expect(markup).toContain('<dt>Lowest, last day</dt><dd>1</dd>');
    expect(markup).toContain('<dt>Highest, last day</dt><dd>3</dd>');
    // The line runs from the left edge of the plot (the window's start) towards its right.
    expect(markup).toMatch(/<polyline points="48\.0,[\d.]+ [\d.]+,[\d.]+"/);
  });

  it('says "No samples yet" under its title when there is nothing to draw, and draws nothing', () => {
    const markup = lineChart({ id: 'lag', title: 'Worst read model', unit: 'seconds', points: [], from: FROM, to: TO }).value;
    expect(markup).toContain('<figcaption>Worst read model</figcaption>');
    expect(markup).toContain('No samples yet.');
    expect(markup).not.toContain('<svg');
    expect(markup).not.toContain('<dd>');
  });

  it('escapes its title', () => {
    expect(lineChart({ id: 'x', title: '<b>lag</b>', unit: 'count', points: [{ at: minute(0), value: 1 }], from: FROM, to: TO }).value).toContain('&lt;b&gt;lag&lt;/b&gt;');
  });

  it('draws at most a bounded number of points, keeping the highest of each slot of time so no peak is lost', () => {
    const points: Point[] = Array.from({ length: 1440 }, (_, i) => ({ at: minute(i), value: i === 777 ? 500 : 1 }));
    const drawn = thin(points, Date.parse(FROM), Date.parse(TO));
    expect(drawn.length).toBeLessThanOrEqual(MAX_DRAWN_POINTS);
    expect(Math.max(...drawn.map((p) => p.value))).toBe(500);
    expect(thin(points.slice(0, 10), Date.parse(FROM), Date.parse(TO))).toEqual(points.slice(0, 10));
  });

  it('tops its axis with a round number at least the highest value', () => {
    expect([axisTop(0), axisTop(0.3), axisTop(1), axisTop(7), axisTop(12), axisTop(4321)]).toEqual([1, 0.5, 1, 10, 20, 5000]);
  });
});
