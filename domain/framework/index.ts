export * from './schema';
export * from './scoring';
