import type { ComplianceDashboardRow } from '../../projections/compliance/queries';
import { reportsDue } from '../../ui/routes/provider/home';

const monitoring = (periods: ComplianceDashboardRow['monitoring']['periods'], status: 'monitoring' | 'ended' = 'monitoring'): ComplianceDashboardRow =>
  ({ monitoring: { status, firstPeriod: '2026-09', consecutiveMisses: 0, submitted: 0, late: 0, missed: 0, periods } }) as ComplianceDashboardRow;

describe('the monthly reports a provider still owes', () => {
  it('lists every month since monitoring began up to last month without a report, missed ones included, each with its due instant', () => {
    const row = monitoring([
      { period: '2026-10', outcome: 'missed', dueAt: '2026-11-16T00:00:00.000Z', submittedAt: null, missChain: 1 },
      { period: '2026-09', outcome: 'late', dueAt: '2026-10-16T00:00:00.000Z', submittedAt: '2026-10-20T00:00:00.000Z', missChain: 0 },
    ]);
    expect(reportsDue(row, '2026-12-06T09:00:00.000Z', 15)).toEqual([
      { period: '2026-10', dueAt: '2026-11-16T00:00:00.000Z', overdue: true },
      { period: '2026-11', dueAt: '2026-12-16T00:00:00.000Z', overdue: false },
    ]);
  });

  it('owes nothing for the month still running, nor once monitoring has ended', () => {
    expect(reportsDue(monitoring([]), '2026-09-20T00:00:00.000Z', 15)).toEqual([]);
    expect(reportsDue(monitoring([], 'ended'), '2026-12-06T00:00:00.000Z', 15)).toEqual([]);
  });
});
