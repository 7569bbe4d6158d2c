import type { MonitorPort } from './monitor-port';
import { attachMonitor, launchMonitor, monitorIsAlive, readExitFile, readLog, waitForExitFile } from './monitor';

// The real monitor (native/monitor) behind the MonitorPort the manager uses.
export const nativeMonitor: MonitorPort = {
  launch: launchMonitor,
  readExit: readExitFile,
  waitExit: waitForExitFile,
  attach: attachMonitor,
  readLog,
  isAlive: monitorIsAlive,
};
