import type { DaemonClient } from './daemon-client';
import type { CliIO } from './io';

// What every command gets: its process streams and the (lazily connected) daemon.
export interface CliContext {
  io: CliIO;
  daemon(): DaemonClient;
}
