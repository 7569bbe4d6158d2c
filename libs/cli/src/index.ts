export { runCli, reportFailure } from './run-cli';
export { processIO, type CliIO, type CliInput, type CliOutput, type SignalSource } from './io';
// Type only: the client's module loads gRPC, which commands that never reach the daemon skip.
export type { DaemonClient } from './daemon-client';
export { ConnectionError } from './connection-error';
export { resolveHost, DEFAULT_HOST } from './host';
export { humanDuration, timeAgo } from './format/duration';
export { humanSize, bytesSize } from './format/size';
export { renderTable } from './format/table';
export { ellipsis, shortId } from './format/truncate';
export { parseBytes, parseNanoCpus } from './parse/units';
export { parseDetachKeys } from './parse/detach-keys';
