import { goalTable, type GoalReport } from '../../bench/registry';

const report = (goal: number, met: boolean, what = `goal ${goal}`): GoalReport => ({
  goal,
  what,
  figure: '90 µs',
  baseline: 'bare 57 µs',
  ratio: '×0.64',
  met,
});

describe("the summary of issue 15's goals that npm run bench prints last", () => {
  it('lists every report as a row of one markdown table, by goal number, keeping the order each goal was reported in', () => {
    const lines = goalTable([report(3, true, 'first of 3'), report(1, false), report(3, false, 'second of 3')]);
    expect(lines[0]).toBe('| goal | what | this code | baseline, same run | ratio | growth, smallest → largest history | verdict |');
    expect(lines[1]).toBe('|---|---|---|---|---|---|---|');
    expect(lines.slice(2)).toEqual([
      '| 1 | goal 1 | 90 µs | bare 57 µs | ×0.64 | — | NOT met |',
      '| 3 | first of 3 | 90 µs | bare 57 µs | ×0.64 | — | met |',
      '| 3 | second of 3 | 90 µs | bare 57 µs | ×0.64 | — | NOT met |',
    ]);
  });

  it('escapes a pipe inside a cell so that the row keeps its columns', () => {
    const [, , row] = goalTable([{ ...report(6, true), figure: 'a | b', growth: '1 → 2' }]);
    expect(row).toBe('| 6 | goal 6 | a \\| b | bare 57 µs | ×0.64 | 1 → 2 | met |');
    expect(row?.split(/(?<!\\)\|/).length).toBe(9);
  });
});
