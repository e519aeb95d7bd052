import { DAY_MILLIS, addDays, addMonths, isAtOrAfter, isBefore, millisBetween, toMillis } from '../../domain/shared/time';

describe('addMonths', () => {
  it.each([
    ['2025-01-15T08:30:00.000Z', 1, '2025-02-15T08:30:00.000Z'],
    ['2025-01-31T00:00:00.000Z', 1, '2025-02-28T00:00:00.000Z'],
    ['2024-01-31T00:00:00.000Z', 1, '2024-02-29T00:00:00.000Z'],
    ['2025-03-31T12:00:00.000Z', 1, '2025-04-30T12:00:00.000Z'],
    ['2025-08-31T00:00:00.000Z', 6, '2026-02-28T00:00:00.000Z'],
    ['2024-02-29T00:00:00.000Z', 12, '2025-02-28T00:00:00.000Z'],
    ['2025-12-15T00:00:00.000Z', 1, '2026-01-15T00:00:00.000Z'],
    ['2025-10-31T23:59:59.999Z', 4, '2026-02-28T23:59:59.999Z'],
    ['2025-03-31T00:00:00.000Z', -1, '2025-02-28T00:00:00.000Z'],
    ['2025-01-31T00:00:00.000Z', -2, '2024-11-30T00:00:00.000Z'],
    ['2025-05-20T10:00:00.000Z', 0, '2025-05-20T10:00:00.000Z'],
  ])('%s plus %i months is %s', (from, months, expected) => {
    expect(addMonths(from, months)).toBe(expected);
  });

  it('does not carry the short month forward: Jan 31 + 2 months is Mar 31, not Mar 28', () => {
    expect(addMonths('2025-01-31T00:00:00.000Z', 2)).toBe('2025-03-31T00:00:00.000Z');
  });

  it('counts in UTC, whatever offset the input was written with', () => {
    // 23:00 on Jan 31 in UTC-5 is already Feb 1 in UTC.
    expect(addMonths('2025-01-31T23:00:00-05:00', 1)).toBe('2025-03-01T04:00:00.000Z');
  });
});

describe('addDays', () => {
  it('adds whole days of 24 hours, forwards and backwards', () => {
    expect(addDays('2025-01-10T09:00:00.000Z', 30)).toBe('2025-02-09T09:00:00.000Z');
    expect(addDays('2025-03-01T00:00:00.000Z', -1)).toBe('2025-02-28T00:00:00.000Z');
    expect(addDays('2024-03-01T00:00:00.000Z', -1)).toBe('2024-02-29T00:00:00.000Z');
  });

  it('normalises any offset to a UTC ISO string', () => {
    expect(addDays('2025-01-01T05:00:00+05:00', 0)).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('comparing instants', () => {
  const a = '2025-01-01T00:00:00.000Z';
  const b = '2025-01-01T00:00:00.001Z';

  it('isBefore is strict', () => {
    expect(isBefore(a, b)).toBe(true);
    expect(isBefore(b, a)).toBe(false);
    expect(isBefore(a, a)).toBe(false);
  });

  it('isAtOrAfter includes the instant itself', () => {
    expect(isAtOrAfter(a, a)).toBe(true);
    expect(isAtOrAfter(b, a)).toBe(true);
    expect(isAtOrAfter(a, b)).toBe(false);
  });

  it('compares instants, not strings, across offsets', () => {
    expect(isBefore('2025-01-01T04:00:00+05:00', '2025-01-01T00:00:00.000Z')).toBe(true);
  });

  it('measures the millis between two instants, negative when going back', () => {
    expect(millisBetween(a, addDays(a, 2))).toBe(2 * DAY_MILLIS);
    expect(millisBetween(b, a)).toBe(-1);
  });
});

describe('toMillis', () => {
  it('reads an ISO instant', () => {
    expect(toMillis('1970-01-02T00:00:00.000Z')).toBe(DAY_MILLIS);
  });

  it('refuses anything that is not an instant, naming it', () => {
    expect(() => toMillis('next tuesday')).toThrow('Not an ISO instant: next tuesday');
  });
});
