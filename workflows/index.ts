/** The workflow bundle's entry: every process type the worker runs. */
export { nocWorkflow } from './noc/noc.workflow';
