export * from './environment';
export * from './http';
export * from './metrics';
export * from './protocol';
export * from './providers';
