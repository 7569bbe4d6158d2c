import type { NetConnectOpts } from 'node:net';
import { invalidArgument } from '@berth/errors';

// Accepts docker-style hosts: unix:///path/to.sock, /path/to.sock, tcp://host:port or host:port.
// Returns the target string grpc-js understands.
export function grpcTarget(address: string): string {
  const value = address.trim();
  if (value === '') throw invalidArgument('empty service address');
  if (value.startsWith('unix://')) {
    const path = value.slice('unix://'.length);
    if (!path.startsWith('/')) throw invalidArgument(`unix address must be absolute: ${address}`);
    return `unix://${path}`;
  }
  if (value.startsWith('/')) return `unix://${value}`;
  if (value.startsWith('tcp://')) return value.slice('tcp://'.length);
  if (/^[\w.-]+:\d+$/.test(value) || /^\[[0-9a-f:]+\]:\d+$/i.test(value)) return value;
  throw invalidArgument(`invalid service address ${JSON.stringify(address)}: want unix:///path or host:port`);
}

export function unixSocketPath(address: string): string | undefined {
  const target = grpcTarget(address);
  return target.startsWith('unix://') ? target.slice('unix://'.length) : undefined;
}

// Where to open a socket to the address (for a channel that opens its own connection).
export function socketAddress(address: string): NetConnectOpts {
  const target = grpcTarget(address);
  if (target.startsWith('unix://')) return { path: target.slice('unix://'.length) };
  const colon = target.lastIndexOf(':');
  return { host: target.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(target.slice(colon + 1)) };
}
