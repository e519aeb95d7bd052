/** The workflow bundle's entry: every process type the worker runs. */
export { nocWorkflow } from './noc/noc.workflow';
export { cspWorkflow } from './csp/csp.workflow';
export { accreditationWorkflow } from './accreditation/accreditation.workflow';
export { pseWorkflow } from './pse/pse.workflow';
export { monitoringWorkflow } from './compliance/monitoring.workflow';
export { reviewWorkflow } from './compliance/review.workflow';
export { changeWorkflow } from './compliance/change.workflow';
export { revocationTransitionWorkflow } from './compliance/transition.workflow';
