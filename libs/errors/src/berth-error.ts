import { ErrorCode } from './codes';

// An error with a stable code, raised where the failure starts and translated once at each
// transport.
export class BerthError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BerthError';
    this.code = code;
  }
}

const make =
  (code: ErrorCode) =>
  (message: string, cause?: unknown): BerthError =>
    new BerthError(code, message, cause === undefined ? undefined : { cause });

export const invalidArgument = make(ErrorCode.InvalidArgument);
export const notFound = make(ErrorCode.NotFound);
export const alreadyExists = make(ErrorCode.AlreadyExists);
export const conflict = make(ErrorCode.Conflict);
export const failedPrecondition = make(ErrorCode.FailedPrecondition);
export const digestMismatch = make(ErrorCode.DigestMismatch);
export const unavailable = make(ErrorCode.Unavailable);
export const unimplemented = make(ErrorCode.Unimplemented);
export const internal = make(ErrorCode.Internal);

export function isBerthError(err: unknown, code?: ErrorCode): err is BerthError {
  return err instanceof BerthError && (code === undefined || err.code === code);
}

// The code of any thrown value: BerthErrors keep theirs, everything else is INTERNAL.
export function errorCodeOf(err: unknown): ErrorCode {
  return err instanceof BerthError ? err.code : ErrorCode.Internal;
}

export function errorMessageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
