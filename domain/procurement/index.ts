export * from './hosting-rules';
export * from './facts';
export * from './answer';
export * from './check';
export { NOC_EXCUSES, NOC_DEVIATIONS_BEARING } from './noc-coverage';
export * from './public-answer';
