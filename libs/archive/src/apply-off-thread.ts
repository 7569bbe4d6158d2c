import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { applyLayer, type ApplyOptions, type ApplyResult } from './apply-layer';
import { UnpackThreads } from './unpack-threads';
import { deserializeError, type FromWorker, type ToWorker } from './worker-protocol';

// Built next to this module; absent when running from sources (unit tests), which unpack in-thread.
const WORKER_SCRIPT = join(__dirname, 'apply-worker.js');
// Chunks posted to the thread and not yet taken by its unpacking.
const MAX_IN_FLIGHT = 8;

const threads = new UnpackThreads(WORKER_SCRIPT);
let nextJob = 1;

export function offThreadAvailable(): boolean {
  return existsSync(WORKER_SCRIPT);
}

// Ends the unpacking threads kept for later layers (a store that closes, tests).
export function closeUnpackThreads(): Promise<void> {
  return threads.close();
}

// How many unpacking threads exist now, busy or idle (tests).
export function unpackThreadCount(): number {
  return threads.size;
}

export interface OffThreadOptions extends ApplyOptions {
  // The input's chunks are the caller's to give away: each one that has an ArrayBuffer of its own
  // moves to the thread (its memory is detached here) instead of being copied.
  handOverChunks?: boolean;
}

/*
 * applyLayer on a worker thread. A big layer is two CPU-bound streams, the download (parse, hash,
 * blob write) and the unpacking (inflate, hash, tar parse, file writes); on one thread they take
 * turns, on two they overlap. Falls back to the calling thread when a caller needs the
 * uncompressed bytes (onChunk) or the worker script is not built.
 */
export async function applyLayerOffThread(input: Readable, root: string, options: OffThreadOptions = {}): Promise<ApplyResult> {
  const { handOverChunks, ...apply } = options;
  if (apply.onChunk !== undefined || !offThreadAvailable()) return applyLayer(input, root, apply);
  const job = nextJob++;
  const worker = threads.acquire();
  const send = (message: ToWorker): void => worker.postMessage(message);
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let settled = false;
  // Whether the thread answered for this layer, so it is fit for the next one.
  let answered = false;
  const onMessage = (message: FromWorker): void => {
    if (message.job !== job) return;
    if (message.type === 'ack') {
      inFlight--;
      wake?.();
      return;
    }
    answered = true;
    finish(message.type === 'done' ? { result: message.result } : { error: deserializeError(message.error) });
  };
  const onError = (err: Error): void => finish({ error: err });
  const onExit = (code: number): void => finish({ error: new Error(`the layer unpacking thread exited with code ${code}`) });
  let finish: (outcome: { result: ApplyResult } | { error: Error }) => void = () => undefined;
  const outcome = new Promise<ApplyResult>((resolve, reject) => {
    finish = (end) => {
      if (settled) return;
      settled = true;
      wake?.();
      if ('result' in end) resolve(end.result);
      else reject(end.error);
    };
  });
  worker.on('message', onMessage);
  worker.on('error', onError);
  worker.on('exit', onExit);
  // Settles with the unpacking's result, so a feeding loop stopped by a failed unpack is quiet.
  outcome.catch(() => undefined);
  send({ job, type: 'start', root, ...(apply.maxSize === undefined ? {} : { maxSize: apply.maxSize }) });
  try {
    try {
      for await (const chunk of input) {
        while (inFlight >= MAX_IN_FLIGHT && !settled) await new Promise<void>((resolve) => (wake = resolve));
        if (settled) break;
        inFlight++;
        const data = chunk as Buffer;
        if (handOverChunks === true && ownsItsMemory(data)) worker.postMessage({ job, type: 'chunk', data } satisfies ToWorker, [data.buffer as ArrayBuffer]);
        else send({ job, type: 'chunk', data });
      }
      if (!settled) send({ job, type: 'end' });
    } catch (err) {
      // The input failed (a dropped download, a digest mismatch): that is the error to report.
      if (!settled) send({ job, type: 'abort' });
      await outcome.catch(() => undefined);
      throw err;
    }
    return await outcome;
  } finally {
    input.destroy();
    worker.off('message', onMessage);
    worker.off('error', onError);
    worker.off('exit', onExit);
    if (answered) threads.release(worker);
    else await threads.discard(worker);
  }
}

function ownsItsMemory(data: Buffer): boolean {
  return data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
}
