/**
 * The workflow bundle's entry: every process type the worker runs.
 *
 * Each type's modules load when a workflow of that type first runs, not when the bundle is entered. With
 * reuseV8Context every workflow evaluates the modules it loads in a module cache of its own, kept as long
 * as the workflow stays cached; loading every type's deciders, schemas and policies into every workflow
 * cost about 0.8 MB of worker memory per open case (`npm run bench -- worker-memory`). A type's module is
 * evaluated before its workflow function is called, inside the workflow, and holds no state but its own,
 * so when it loads changes nothing a replay could see.
 */
import type * as Noc from './noc/noc.workflow';
import type * as Csp from './csp/csp.workflow';
import type * as Accreditation from './accreditation/accreditation.workflow';
import type * as Pse from './pse/pse.workflow';
import type * as Monitoring from './compliance/monitoring.workflow';
import type * as Review from './compliance/review.workflow';
import type * as Change from './compliance/change.workflow';
import type * as Transition from './compliance/transition.workflow';

export function nocWorkflow(...args: Parameters<typeof Noc.nocWorkflow>): ReturnType<typeof Noc.nocWorkflow> {
  return (require('./noc/noc.workflow') as typeof Noc).nocWorkflow(...args);
}

export function cspWorkflow(...args: Parameters<typeof Csp.cspWorkflow>): ReturnType<typeof Csp.cspWorkflow> {
  return (require('./csp/csp.workflow') as typeof Csp).cspWorkflow(...args);
}

export function accreditationWorkflow(...args: Parameters<typeof Accreditation.accreditationWorkflow>): ReturnType<typeof Accreditation.accreditationWorkflow> {
  return (require('./accreditation/accreditation.workflow') as typeof Accreditation).accreditationWorkflow(...args);
}

export function pseWorkflow(...args: Parameters<typeof Pse.pseWorkflow>): ReturnType<typeof Pse.pseWorkflow> {
  return (require('./pse/pse.workflow') as typeof Pse).pseWorkflow(...args);
}

export function monitoringWorkflow(...args: Parameters<typeof Monitoring.monitoringWorkflow>): ReturnType<typeof Monitoring.monitoringWorkflow> {
  return (require('./compliance/monitoring.workflow') as typeof Monitoring).monitoringWorkflow(...args);
}

export function reviewWorkflow(...args: Parameters<typeof Review.reviewWorkflow>): ReturnType<typeof Review.reviewWorkflow> {
  return (require('./compliance/review.workflow') as typeof Review).reviewWorkflow(...args);
}

export function changeWorkflow(...args: Parameters<typeof Change.changeWorkflow>): ReturnType<typeof Change.changeWorkflow> {
  return (require('./compliance/change.workflow') as typeof Change).changeWorkflow(...args);
}

export function revocationTransitionWorkflow(...args: Parameters<typeof Transition.revocationTransitionWorkflow>): ReturnType<typeof Transition.revocationTransitionWorkflow> {
  return (require('./compliance/transition.workflow') as typeof Transition).revocationTransitionWorkflow(...args);
}
