/**
 * Date arithmetic on ISO-8601 instants, in UTC. Pure: the caller passes "now"; nothing here reads a clock.
 */
const DAY_MS = 24 * 60 * 60 * 1000;

// The last two instants parsed: a projection reads an event's instant several times over (one per
// read model, often more), and Date.parse is the costlier part of a replay's per-event arithmetic.
// Two, because the read models of one event alternate between its instant and one in its data
// (a NOC's validity end, an answer's due date).
let lastIso = '';
let lastMs = Number.NaN;
let otherIso = '';
let otherMs = Number.NaN;

export function toMillis(iso: string): number {
  if (iso === lastIso) return lastMs;
  if (iso === otherIso) return otherMs;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`Not an ISO instant: ${iso}`);
  otherIso = lastIso;
  otherMs = lastMs;
  lastIso = iso;
  lastMs = ms;
  return ms;
}

export function addDays(iso: string, days: number): string {
  return new Date(toMillis(iso) + days * DAY_MS).toISOString();
}

/** Calendar months in UTC; the 31st plus one month lands on the last day of a shorter month. */
export function addMonths(iso: string, months: number): string {
  const d = new Date(toMillis(iso));
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d.toISOString();
}

export function isBefore(a: string, b: string): boolean {
  return toMillis(a) < toMillis(b);
}

export function isAtOrAfter(a: string, b: string): boolean {
  return toMillis(a) >= toMillis(b);
}

export function millisBetween(from: string, to: string): number {
  return toMillis(to) - toMillis(from);
}

export const DAY_MILLIS = DAY_MS;
