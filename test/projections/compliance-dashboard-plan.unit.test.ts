import { complianceProjection } from '../../projections/compliance/compliance';
import { DASHBOARD_SQL } from '../../projections/compliance/queries';
import { memoryDb } from './support';

function plan(sql: string, ...params: unknown[]): string[] {
  const db = memoryDb(complianceProjection);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
}

describe("the compliance dashboard's reads", () => {
  it.each(['periods', 'reviews', 'escalations', 'changes'] as const)("read an offering's %s along its application_id index, never the whole table", (name) => {
    const steps = plan(DASHBOARD_SQL[name], 'app-1');
    expect(steps.some((d) => /^SEARCH \S+ USING .*\(application_id=\?/.test(d))).toBe(true);
    expect(steps.filter((d) => d.startsWith('SCAN '))).toEqual([]);
  });

  it("reads a provider's offerings along the provider index", () => {
    const steps = plan(DASHBOARD_SQL.appsOfCsp, { cspId: 'csp-1', offeringId: null });
    expect(steps.some((d) => /^SEARCH cmp_applications USING INDEX cmp_applications_by_csp \(csp_id=\?\)/.test(d))).toBe(true);
    expect(steps.filter((d) => d.startsWith('SCAN '))).toEqual([]);
  });
});
