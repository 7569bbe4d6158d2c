import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { applyLayer, type ApplyOptions, type ApplyResult } from './apply-layer';
import { deserializeError, type FromWorker, type ToWorker, type WorkerInput } from './worker-protocol';

// Built next to this module; absent when running from sources (unit tests), which unpack in-thread.
const WORKER_SCRIPT = join(__dirname, 'apply-worker.js');
// Chunks posted to the thread and not yet taken by its unpacking.
const MAX_IN_FLIGHT = 8;

export function offThreadAvailable(): boolean {
  return existsSync(WORKER_SCRIPT);
}

/*
 * applyLayer on a worker thread. A big layer is two CPU-bound streams, the download (parse, hash,
 * blob write) and the unpacking (inflate, hash, tar parse, file writes); on one thread they take
 * turns, on two they overlap. Falls back to the calling thread when a caller needs the
 * uncompressed bytes (onChunk) or the worker script is not built.
 */
export async function applyLayerOffThread(input: Readable, root: string, options: ApplyOptions = {}): Promise<ApplyResult> {
  if (options.onChunk !== undefined || !offThreadAvailable()) return applyLayer(input, root, options);
  const workerData: WorkerInput = { root, ...(options.maxSize === undefined ? {} : { maxSize: options.maxSize }) };
  const worker = new Worker(WORKER_SCRIPT, { workerData });
  const send = (message: ToWorker): void => worker.postMessage(message);
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let settled = false;
  const outcome = new Promise<ApplyResult>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ack') {
        inFlight--;
        wake?.();
        return;
      }
      settled = true;
      wake?.();
      if (message.type === 'done') resolve(message.result);
      else reject(deserializeError(message.error));
    });
    worker.on('error', (err) => {
      settled = true;
      wake?.();
      reject(err);
    });
    worker.on('exit', (code) => {
      if (settled) return;
      settled = true;
      wake?.();
      reject(new Error(`the layer unpacking thread exited with code ${code}`));
    });
  });
  // Settles with the unpacking's result, so a feeding loop stopped by a failed unpack is quiet.
  outcome.catch(() => undefined);
  try {
    try {
      for await (const chunk of input) {
        while (inFlight >= MAX_IN_FLIGHT && !settled) await new Promise<void>((resolve) => (wake = resolve));
        if (settled) break;
        inFlight++;
        send({ type: 'chunk', data: chunk as Buffer });
      }
      if (!settled) send({ type: 'end' });
    } catch (err) {
      // The input failed (a dropped download, a digest mismatch): that is the error to report.
      if (!settled) send({ type: 'abort' });
      await outcome.catch(() => undefined);
      throw err;
    }
    return await outcome;
  } finally {
    input.destroy();
    await worker.terminate();
  }
}
