import { isFlat, percentile, resolvableBoundPerHour, sawToothAllowancePerHour, trend } from './soak-stats';

describe('the soak arithmetic', () => {
  it('takes percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('fits a steady rise exactly and extrapolates it to an hour', () => {
    // 1 MB a minute is 60 MB an hour.
    const points = Array.from({ length: 20 }, (_, i) => ({ seconds: i * 60, mb: 200 + i }));
    const t = trend(points);
    expect(t.slopePerHour).toBeCloseTo(60, 6);
    expect(t.standardErrorPerHour).toBeCloseTo(0, 6);
    expect(t.spanSeconds).toBe(1140);
  });

  it('widens the bound by what a saw-tooth can tilt the slope: much over a minute, little over twenty', () => {
    expect(sawToothAllowancePerHour(60)).toBeCloseTo(12_000, 6);
    expect(sawToothAllowancePerHour(1200)).toBeCloseTo(60, 6);
    expect(sawToothAllowancePerHour(0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('calls twenty minutes of saw-tooth around a level flat, and the same saw-tooth on a 150 MB/h leak not flat', () => {
    const sawTooth = (seconds: number) => ((seconds % 120) / 120) * 200;
    const level = Array.from({ length: 121 }, (_, i) => ({ seconds: 600 + i * 10, mb: 300 + sawTooth(600 + i * 10) }));
    expect(isFlat(trend(level), 50)).toBe(true);
    const leak = level.map((p) => ({ seconds: p.seconds, mb: p.mb + (p.seconds / 3600) * 150 }));
    const t = trend(leak);
    expect(t.slopePerHour).toBeGreaterThan(resolvableBoundPerHour(t, 50));
    expect(isFlat(t, 50)).toBe(false);
  });

  it('catches a gross leak even in a bounded run', () => {
    // 400 MB a minute over a judged minute.
    const points = Array.from({ length: 21 }, (_, i) => ({ seconds: 60 + i * 3, mb: 400 + i * 20 }));
    expect(isFlat(trend(points), 50)).toBe(false);
  });

  it('has no slope to speak of under two points', () => {
    expect(trend([{ seconds: 0, mb: 10 }])).toEqual({ slopePerHour: 0, standardErrorPerHour: Number.NaN, points: 1, spanSeconds: 0 });
  });
});
