import type { MonitorPort } from './monitor-port';
import { attachMonitor, launchMonitor, monitorIsAlive, MonitorStandbys, readExitFile, readLog, waitForExitFile } from './monitor';

// The real monitor (native/monitor) behind the MonitorPort the manager uses.
export const nativeMonitor: MonitorPort = {
  launch: (opts) => launchMonitor(opts),
  readExit: readExitFile,
  waitExit: waitForExitFile,
  attach: attachMonitor,
  readLog,
  isAlive: monitorIsAlive,
};

// The same with a monitor started ahead of each launch (see MonitorStandbys); close() ends the
// one waiting.
export function nativeMonitorWithStandby(): MonitorPort & { close(): void } {
  const standbys = new MonitorStandbys();
  return { ...nativeMonitor, launch: (opts) => launchMonitor(opts, standbys), close: () => standbys.close() };
}
