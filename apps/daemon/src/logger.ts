import type { Logger } from '@berth/daemon-core';

// Services log one line per event to stderr, which `system up` sends to the service's log file.
export function consoleLogger(service: string): Logger {
  const line = (level: string, message: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${service} ${level} ${message}\n`);
  };
  return {
    info: (message) => line('info', message),
    warn: (message) => line('warn', message),
    error: (message) => line('error', message),
  };
}
