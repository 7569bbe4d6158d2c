import { BerthError, ErrorCode, isErrorCode } from '@berth/errors';
import type { RegistryResponse } from './http-get';
import { TransientError, type Attempt } from './retry';

const ERROR_BODY_LIMIT = 64 * 1024;

// Reads at most `limit` bytes of a body (error bodies, token answers), touching the attempt's
// inactivity timer as data arrives.
export async function readLimited(res: RegistryResponse, limit: number, attempt: Attempt): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body) {
    attempt.touch();
    size += chunk.length;
    if (size > limit) {
      await res.body.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

// The OCI distribution error body: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}]}.
function registryErrors(body: Buffer | undefined): Array<{ code: string; message: string }> {
  if (!body || body.length === 0) return [];
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    return (parsed.errors ?? []).map((e) => ({ code: typeof e.code === 'string' ? e.code : '', message: typeof e.message === 'string' ? e.message : '' }));
  } catch {
    return [];
  }
}

// Turns a registry's non-success answer into a BerthError, or a TransientError worth retrying.
export async function statusError(res: RegistryResponse, attempt: Attempt, what: string, repository: string, fallback: ErrorCode): Promise<Error> {
  const body = await readLimited(res, ERROR_BODY_LIMIT, attempt).catch(() => undefined);
  const errors = registryErrors(body);
  const detail = errors.map((e) => `${e.code.toLowerCase()}: ${e.message}`).join('; ');
  const status = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  if (res.status === 408 || res.status >= 500) return new TransientError(`${what}: registry answered ${status}${detail ? ` (${detail})` : ''}`);
  if (res.status === 401) {
    return new BerthError(ErrorCode.Unauthenticated, `pull access denied for ${repository}, repository does not exist or may require authentication${detail ? `: ${detail}` : ''}`);
  }
  if (res.status === 403) return new BerthError(ErrorCode.PermissionDenied, `${what}: access to ${repository} is denied${detail ? `: ${detail}` : ''}`);
  if (res.status === 429) return new BerthError(ErrorCode.ResourceExhausted, `${what}: toomanyrequests${detail ? `: ${detail}` : ''}`);
  if (res.status === 404) {
    const first = errors[0]?.code ?? '';
    const code = isErrorCode(first) && ([ErrorCode.ManifestUnknown, ErrorCode.BlobUnknown, ErrorCode.NameUnknown] as ErrorCode[]).includes(first) ? (first as ErrorCode) : fallback;
    return new BerthError(code, `${what}: not found${detail ? ` (${detail})` : ''}`);
  }
  return new BerthError(ErrorCode.Unavailable, `${what}: unexpected answer ${status}${detail ? ` (${detail})` : ''}`);
}
