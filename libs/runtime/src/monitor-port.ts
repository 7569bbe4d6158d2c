// What the runtime needs from the per-container monitor (./monitor). The manager depends on
// this shape rather than on the module so that it can be tested with a fake monitor.
import type { MonitorLaunch } from './monitor/launch';

// The options are the monitor client's own; only the behaviour below is abstracted.
export type MonitorLaunchOptions = MonitorLaunch;

export interface MonitorExit {
  exitCode: number;
  oomKilled: boolean;
  finishedAt: string;
  signal: number;
}

// An exit carries the whole record when the monitor sent it (see monitor/attach.ts).
export type MonitorEvent = { kind: 'stdout' | 'stderr'; data: Buffer } | { kind: 'exit'; exitCode: number; record?: MonitorExit };

export interface MonitorSession extends AsyncIterable<MonitorEvent> {
  writeStdin(data: Buffer): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
  close(): void;
}

export interface MonitorLogRecord {
  stream: 'stdout' | 'stderr';
  data: Buffer;
  time: string;
}

export interface MonitorLogOptions {
  follow: boolean;
  tail: number;
  since?: string;
  until?: string;
  signal?: AbortSignal;
  stopWhen?: () => Promise<boolean>;
}

export interface MonitorPort {
  launch(opts: MonitorLaunchOptions): Promise<{ pid: number; monitorPid: number }>;
  readExit(path: string): Promise<MonitorExit | undefined>;
  waitExit(path: string, signal?: AbortSignal): Promise<MonitorExit>;
  attach(socketPath: string): Promise<MonitorSession>;
  readLog(path: string, opts: MonitorLogOptions): AsyncGenerator<MonitorLogRecord>;
  isAlive(monitorPidFile: string): Promise<boolean>;
}
