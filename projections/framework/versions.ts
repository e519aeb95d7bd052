import { diffFrameworks, type BenchmarkFramework, type FrameworkDiff, type FrameworkRegisterState, type FrameworkVersionStatus } from '../../domain/framework';

/** One version of the benchmark framework as the public reads it. */
export interface FrameworkVersionView {
  version: string;
  title: string;
  status: FrameworkVersionStatus;
  effectiveFrom: string;
  /** True for the built-in version the engine starts with (FRAMEWORK_VERSION's file). */
  genesis: boolean;
  changes?: string;
  proposedBy?: string;
  approvedBy?: string;
  rejectedBy?: string;
  rejectionReasons?: string;
  /** Against the version published before it; absent for the genesis version. */
  diff?: FrameworkDiff;
  framework: BenchmarkFramework;
}

/**
 * Every version, oldest first: the genesis, then each proposal in the order it was made. A proposal's
 * diff is against the latest version approved before it, which is what it replaces.
 */
export function frameworkVersionViews(state: FrameworkRegisterState, genesis: BenchmarkFramework): FrameworkVersionView[] {
  const views: FrameworkVersionView[] = [
    { version: genesis.version, title: genesis.title, status: 'approved', effectiveFrom: genesis.effectiveFrom, genesis: true, framework: genesis },
  ];
  let published = genesis;
  for (const entry of state.versions) {
    views.push({
      version: entry.version,
      title: entry.framework.title,
      status: entry.status,
      effectiveFrom: entry.effectiveFrom,
      genesis: false,
      changes: entry.changes,
      proposedBy: entry.proposedBy,
      ...(entry.approvedBy === undefined ? {} : { approvedBy: entry.approvedBy }),
      ...(entry.rejectedBy === undefined ? {} : { rejectedBy: entry.rejectedBy }),
      ...(entry.rejectionReasons === undefined ? {} : { rejectionReasons: entry.rejectionReasons }),
      diff: diffFrameworks(published, entry.framework),
      framework: entry.framework,
    });
    if (entry.status === 'approved') published = entry.framework;
  }
  return views;
}
