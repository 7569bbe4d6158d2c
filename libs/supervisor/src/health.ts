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

// The Hub answers GET /v2/ with 200, or 401 when it wants credentials.
export async function pingHub(addr: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(`http://${addr}/v2/`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status === 200 || res.status === 401;
  } catch {
    return false;
  }
}

export function isHealthy(service: ServiceDefinition): Promise<boolean> {
  if (service.kind === 'redis') return pingRedis(service.address);
  return service.kind === 'http' ? pingHub(service.address) : checkHealth(service.address);
}
