import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { applyLayer } from './apply-layer';
import { serializeError, type FromWorker, type ToWorker, type WorkerInput } from './worker-protocol';

// The thread side of applyLayerOffThread: unpacks the chunks the caller posts, acknowledging each
// once the unpacking has taken it, so the caller never runs far ahead.
const port = parentPort;
if (port === null) throw new Error('apply-worker runs only as a worker thread');
const input = workerData as WorkerInput;
const post = (message: FromWorker): void => port.postMessage(message);

let owed = 0;
const stream = new Readable({
  read() {
    for (; owed > 0; owed--) post({ type: 'ack' });
  },
});
port.on('message', (message: ToWorker) => {
  if (message.type === 'chunk') {
    const data = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength);
    if (stream.push(data)) post({ type: 'ack' });
    else owed++;
  } else if (message.type === 'end') {
    stream.push(null);
  } else {
    stream.destroy(new Error('the layer stream was aborted'));
  }
});

applyLayer(stream, input.root, input.maxSize === undefined ? {} : { maxSize: input.maxSize }).then(
  (result) => post({ type: 'done', result }),
  (err: unknown) => post({ type: 'error', error: serializeError(err) }),
);
