import { BerthError, isBerthError, type ErrorCode } from '@berth/errors';
import type { ApplyResult } from './apply-layer';

// Messages between applyLayerOffThread and apply-worker.js. A thread unpacks one layer after
// another; every message names its layer (`job`), so a late message of a layer that already
// ended (a chunk sent before its failure was known) is told apart from the next layer's.
export type ToWorker = { job: number } & ({ type: 'start'; root: string; maxSize?: number } | { type: 'chunk'; data: Uint8Array } | { type: 'end' } | { type: 'abort' });

export type FromWorker = { job: number } & ({ type: 'ack' } | { type: 'done'; result: ApplyResult } | { type: 'error'; error: SerializedError });

export interface SerializedError {
  message: string;
  // A BerthError's code, or an errno name (ENOSPC...).
  code?: string;
  berth: boolean;
}

export function serializeError(err: unknown): SerializedError {
  if (isBerthError(err)) return { message: err.message, code: err.code, berth: true };
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return { message: err instanceof Error ? err.message : String(err), berth: false, ...(typeof code === 'string' ? { code } : {}) };
}

export function deserializeError(error: SerializedError): Error {
  if (error.berth && error.code !== undefined) return new BerthError(error.code as ErrorCode, error.message);
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
}
