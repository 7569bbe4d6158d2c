export * from './codes';
export * from './berth-error';
