/**
 * The soak's arithmetic: percentiles of read-model lag and the least-squares trend of a process's
 * memory, judged against a bound widened by what the garbage collector's saw-tooth can fake.
 */

/** The p-th percentile (0–100) by the nearest-rank method; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export interface Trend {
  /** Fitted growth in MB per hour. */
  slopePerHour: number;
  /** Standard error of that slope, MB per hour (NaN under three points). */
  standardErrorPerHour: number;
  /** Points fitted. */
  points: number;
  /** Seconds from the first point fitted to the last. */
  spanSeconds: number;
}

/** Least-squares line through (seconds, MB) points; its slope extrapolated to one hour. */
export function trend(points: readonly { seconds: number; mb: number }[]): Trend {
  const n = points.length;
  const spanSeconds = n === 0 ? 0 : Math.max(...points.map((p) => p.seconds)) - Math.min(...points.map((p) => p.seconds));
  if (n < 2) return { slopePerHour: 0, standardErrorPerHour: Number.NaN, points: n, spanSeconds };
  const meanT = points.reduce((s, p) => s + p.seconds, 0) / n;
  const meanM = points.reduce((s, p) => s + p.mb, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.seconds - meanT) ** 2;
    sxy += (p.seconds - meanT) * (p.mb - meanM);
  }
  if (sxx === 0) return { slopePerHour: 0, standardErrorPerHour: Number.NaN, points: n, spanSeconds };
  const slope = sxy / sxx;
  const residuals = points.reduce((s, p) => s + (p.mb - (meanM + slope * (p.seconds - meanT))) ** 2, 0);
  const standardError = n > 2 ? Math.sqrt(residuals / (n - 2) / sxx) : Number.NaN;
  return { slopePerHour: slope * 3600, standardErrorPerHour: standardError * 3600, points: n, spanSeconds };
}

/**
 * The garbage collector's saw-tooth: a Node process's resident memory climbs by up to about this much
 * between two old-space collections and drops back. The worker's was seen climbing 115–150 MB within
 * a bounded run's judged minute at 4 operations a second; 200 MB keeps that run from failing on it.
 */
export const SAW_TOOTH = { mb: 200, periodSeconds: 120 };

/**
 * How far a saw-tooth of amplitude A and period P can tilt a least-squares slope fitted over a span
 * T, in MB/h: A·P/T² once T spans whole periods (the tooth's contribution per cycle cancels but for
 * one term), A/T under one period. 20 judged minutes: 60 MB/h; a bounded run's judged minute:
 * 12 GB/h, so a bounded run catches only gross leaks and the full run the slow ones.
 */
export function sawToothAllowancePerHour(spanSeconds: number): number {
  if (spanSeconds <= 0) return Number.POSITIVE_INFINITY;
  const perSecond = (SAW_TOOTH.mb / spanSeconds) * Math.min(1, SAW_TOOTH.periodSeconds / spanSeconds);
  return perSecond * 3600;
}

/** The slope a run may show and still be flat: the stated bound plus what the saw-tooth can add. */
export function resolvableBoundPerHour(t: Trend, boundPerHour: number): number {
  return boundPerHour + sawToothAllowancePerHour(t.spanSeconds);
}

/** Flat: the fitted growth stays under the bound the run can resolve. */
export function isFlat(t: Trend, boundPerHour: number): boolean {
  return t.slopePerHour < resolvableBoundPerHour(t, boundPerHour);
}
