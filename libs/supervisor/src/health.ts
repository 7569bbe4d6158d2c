import { createConnection } from 'node:net';
import { checkHealth } from '@berth/grpc-kit';
import type { ServiceDefinition } from './services';

// Sends PING on the Redis unix socket and expects PONG.
export function pingRedis(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.on('error', () => done(false));
  });
}

export function isHealthy(service: ServiceDefinition): Promise<boolean> {
  return service.kind === 'redis' ? pingRedis(service.address) : checkHealth(service.address);
}
