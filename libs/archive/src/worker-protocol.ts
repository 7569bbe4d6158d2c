import { BerthError, isBerthError, type ErrorCode } from '@berth/errors';
import type { ApplyResult } from './apply-layer';

// Messages between applyLayerOffThread and apply-worker.js.
export type ToWorker = { type: 'chunk'; data: Uint8Array } | { type: 'end' } | { type: 'abort' };

export type FromWorker = { type: 'ack' } | { type: 'done'; result: ApplyResult } | { type: 'error'; error: SerializedError };

export interface WorkerInput {
  root: string;
  maxSize?: number;
}

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
