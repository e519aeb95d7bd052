import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelKey, openOperationsSamples, operationsSamplesPath, RETENTION_MS, SERIES, type OperationsSamples, type Sample } from '../../metrics/samples';

/** The operations samples file: rows per series and label set, a day (and an hour) kept, older rows pruned on write. */
const T0 = Date.parse('2026-12-06T10:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

let samples: OperationsSamples;
beforeEach(() => {
  samples = openOperationsSamples(':memory:');
});
afterEach(() => samples.close());

describe('the operations samples file', () => {
  it('lies in the data folder as operations.db, apart from the read models', () => {
    expect(operationsSamplesPath('/srv/office')).toBe('/srv/office/operations.db');
  });

  it('gives back each series its own rows, oldest first, with their labels, from the instant asked', () => {
    samples.record(at(0), [
      { series: SERIES.mailOutboxBacklog, labels: {}, value: 3 },
      { series: SERIES.openCases, labels: { kind: 'noc', jurisdiction: 'punjab' }, value: 2 },
    ]);
    samples.record(at(1), [
      { series: SERIES.mailOutboxBacklog, labels: {}, value: 1 },
      { series: SERIES.openCases, labels: { jurisdiction: 'sindh', kind: 'noc' }, value: 5 },
    ]);
    expect(samples.read(SERIES.mailOutboxBacklog, at(0))).toEqual([
      { at: at(0), series: SERIES.mailOutboxBacklog, labels: {}, value: 3 },
      { at: at(1), series: SERIES.mailOutboxBacklog, labels: {}, value: 1 },
    ]);
    expect(samples.read(SERIES.openCases, at(1))).toEqual([{ at: at(1), series: SERIES.openCases, labels: { jurisdiction: 'sindh', kind: 'noc' }, value: 5 }]);
    expect(samples.read(SERIES.projectionLagSeconds, at(0))).toEqual([]);
  });

  it('prunes rows older than the retention when it writes, and keeps those within it', () => {
    const backlog = (value: number): Sample[] => [{ series: SERIES.mailOutboxBacklog, labels: {}, value }];
    samples.record(at(0), backlog(1));
    samples.record(at(60), backlog(2));
    const retentionMinutes = RETENTION_MS / 60_000;
    expect(retentionMinutes).toBeGreaterThan(24 * 60);
    samples.record(at(retentionMinutes + 30), backlog(3));
    expect(samples.read(SERIES.mailOutboxBacklog, at(-1)).map((r) => r.value)).toEqual([2, 3]);
  });

  it('refuses a series it does not know, and writes nothing of that sampling', () => {
    expect(() =>
      samples.record(at(0), [
        { series: SERIES.mailOutboxBacklog, labels: {}, value: 1 },
        { series: 'not_a_series', labels: {}, value: 1 } as unknown as Sample,
      ]),
    ).toThrow();
    expect(samples.read(SERIES.mailOutboxBacklog, at(-1))).toEqual([]);
  });

  it('keys a label set the same whatever the order of its labels', () => {
    expect(labelKey({ kind: 'noc', jurisdiction: 'punjab' })).toBe(labelKey({ jurisdiction: 'punjab', kind: 'noc' }));
  });

  it('is shared through the file by the processes that write it and the one that reads it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'operations-samples-'));
    try {
      const writer = openOperationsSamples(operationsSamplesPath(dir));
      const reader = openOperationsSamples(operationsSamplesPath(dir));
      writer.record(at(0), [{ series: SERIES.timersFired, labels: {}, value: 0 }]);
      expect(reader.read(SERIES.timersFired, at(0))).toHaveLength(1);
      writer.close();
      reader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
