export * from './hosting-rules';
export * from './facts';
export * from './answer';
export * from './check';
export { NOC_EXCUSES } from './noc-coverage';
