export * from './events';
export * from './commands';
export * from './state';
export * from './decide';
export * from './evolve';
