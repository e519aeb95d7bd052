export * from './schema';
export * from './scoring';
export * from './diff';
export * from './register';
export * from './register-events';
