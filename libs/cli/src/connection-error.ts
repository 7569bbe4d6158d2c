import { BerthError, ErrorCode } from '@berth/errors';

// Kept apart from daemon-client.ts so that commands can test for it without loading gRPC.

// Marks errors where no daemon answered at all, so commands can say "Cannot connect".
export class ConnectionError extends BerthError {
  constructor(readonly host: string) {
    super(ErrorCode.Unavailable, `Cannot connect to the Berth daemon at ${host}: is the daemon running?`);
    this.name = 'ConnectionError';
  }
}

// A failure with no Berth code trailer and UNAVAILABLE status never reached the daemon's code.
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof BerthError) || err.code !== ErrorCode.Unavailable) return false;
  const cause = err.cause as { metadata?: { get(key: string): unknown[] } } | undefined;
  return (cause?.metadata?.get('berth-error-code').length ?? 0) === 0;
}
