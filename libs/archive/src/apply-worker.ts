import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { applyLayer } from './apply-layer';
import { serializeError, type FromWorker, type ToWorker } from './worker-protocol';

// The thread side of applyLayerOffThread: unpacks the layers the caller starts, one at a time,
// from the chunks it posts, acknowledging each once the unpacking has taken it, so the caller
// never runs far ahead.
const port = parentPort;
if (port === null) throw new Error('apply-worker runs only as a worker thread');
const post = (message: FromWorker): void => port.postMessage(message);

interface Current {
  job: number;
  stream: Readable;
  owed: number;
}

let current: Current | undefined;

function start(job: number, root: string, maxSize: number | undefined): void {
  const layer: Current = {
    job,
    owed: 0,
    stream: new Readable({
      read() {
        for (; layer.owed > 0; layer.owed--) post({ job, type: 'ack' });
      },
    }),
  };
  current = layer;
  applyLayer(layer.stream, root, maxSize === undefined ? {} : { maxSize })
    .then(
      (result) => post({ job, type: 'done', result }),
      (err: unknown) => post({ job, type: 'error', error: serializeError(err) }),
    )
    .finally(() => {
      if (current === layer) current = undefined;
    });
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'start') return start(message.job, message.root, message.maxSize);
  // Chunks of a layer that has already failed arrive after its end: nobody waits for them.
  if (current?.job !== message.job) return;
  const layer = current;
  if (message.type === 'chunk') {
    const data = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength);
    if (layer.stream.push(data)) post({ job: layer.job, type: 'ack' });
    else layer.owed++;
  } else if (message.type === 'end') {
    layer.stream.push(null);
  } else {
    layer.stream.destroy(new Error('the layer stream was aborted'));
  }
});
