/**
 * The bundle's entry: every process type the worker runs.
 *
 * Each type's modules load when a workflow of that type first runs in a worker thread, not when the bundle
 * is entered, and are then shared by every workflow of that type in the thread (onePerThread,
 * workflows/shared/thread-shared.ts). With reuseV8Context every workflow would otherwise evaluate the
 * modules it loads in a module cache of its own, kept as long as the workflow stays cached: loading every
 * type's deciders, schemas and policies into every workflow cost about 0.8 MB of worker memory per open
 * case, and even one type's, with zod itself, about 1 MB (`npm run bench -- worker-memory`). A
 * type's module is evaluated before its workflow function is called, inside the workflow, and holds no
 * state but its own, so when and where it loads changes nothing a replay could see.
 */
import type * as Noc from './noc/noc.workflow';
import type * as Csp from './csp/csp.workflow';
import type * as Accreditation from './accreditation/accreditation.workflow';
import type * as Pse from './pse/pse.workflow';
import type * as Monitoring from './compliance/monitoring.workflow';
import type * as Review from './compliance/review.workflow';
import type * as Change from './compliance/change.workflow';
import type * as Transition from './compliance/transition.workflow';
import { onePerThread } from './shared/thread-shared';

export function nocWorkflow(...args: Parameters<typeof Noc.nocWorkflow>): ReturnType<typeof Noc.nocWorkflow> {
  return onePerThread('./noc/noc.workflow', () => require('./noc/noc.workflow') as typeof Noc).nocWorkflow(...args);
}

export function cspWorkflow(...args: Parameters<typeof Csp.cspWorkflow>): ReturnType<typeof Csp.cspWorkflow> {
  return onePerThread('./csp/csp.workflow', () => require('./csp/csp.workflow') as typeof Csp).cspWorkflow(...args);
}

export function accreditationWorkflow(...args: Parameters<typeof Accreditation.accreditationWorkflow>): ReturnType<typeof Accreditation.accreditationWorkflow> {
  return onePerThread('./accreditation/accreditation.workflow', () => require('./accreditation/accreditation.workflow') as typeof Accreditation).accreditationWorkflow(...args);
}

export function pseWorkflow(...args: Parameters<typeof Pse.pseWorkflow>): ReturnType<typeof Pse.pseWorkflow> {
  return onePerThread('./pse/pse.workflow', () => require('./pse/pse.workflow') as typeof Pse).pseWorkflow(...args);
}

export function monitoringWorkflow(...args: Parameters<typeof Monitoring.monitoringWorkflow>): ReturnType<typeof Monitoring.monitoringWorkflow> {
  return onePerThread('./compliance/monitoring.workflow', () => require('./compliance/monitoring.workflow') as typeof Monitoring).monitoringWorkflow(...args);
}

export function reviewWorkflow(...args: Parameters<typeof Review.reviewWorkflow>): ReturnType<typeof Review.reviewWorkflow> {
  return onePerThread('./compliance/review.workflow', () => require('./compliance/review.workflow') as typeof Review).reviewWorkflow(...args);
}

export function changeWorkflow(...args: Parameters<typeof Change.changeWorkflow>): ReturnType<typeof Change.changeWorkflow> {
  return onePerThread('./compliance/change.workflow', () => require('./compliance/change.workflow') as typeof Change).changeWorkflow(...args);
}

export function revocationTransitionWorkflow(...args: Parameters<typeof Transition.revocationTransitionWorkflow>): ReturnType<typeof Transition.revocationTransitionWorkflow> {
  return onePerThread('./compliance/transition.workflow', () => require('./compliance/transition.workflow') as typeof Transition).revocationTransitionWorkflow(...args);
}
