// The client side of berth-monitor (native/monitor): launch it, attach to it, read what it
// records (exit file, log).
export { launchMonitor, type MonitorLaunch } from './launch';
export { MonitorStandbys } from './standby';
export { readExitFile, waitForExitFile, type ExitRecord } from './exit-file';
export { attachMonitor, type AttachEvent, type AttachSession } from './attach';
export { readLog, type ReadLogOptions } from './read-log';
export { type LogRecord } from './cri-log';
export { monitorIsAlive } from './alive';
