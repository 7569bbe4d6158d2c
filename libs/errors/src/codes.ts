// Every error Berth reports carries one of these stable codes. Transports map a code to their
// own status in exactly one place each (gRPC: @berth/grpc-kit's status map). Codes are never
// reused once retired.
export const ErrorCode = {
  InvalidArgument: 'INVALID_ARGUMENT',
  NotFound: 'NOT_FOUND',
  AlreadyExists: 'ALREADY_EXISTS',
  Conflict: 'CONFLICT',
  FailedPrecondition: 'FAILED_PRECONDITION',
  DigestMismatch: 'DIGEST_MISMATCH',
  Unavailable: 'UNAVAILABLE',
  Unimplemented: 'UNIMPLEMENTED',
  PermissionDenied: 'PERMISSION_DENIED',
  Canceled: 'CANCELED',
  DeadlineExceeded: 'DEADLINE_EXCEEDED',
  // The container's command could not be executed (docker exit 126).
  CommandNotExecutable: 'COMMAND_NOT_EXECUTABLE',
  // The container's command was not found (docker exit 127).
  CommandNotFound: 'COMMAND_NOT_FOUND',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const allErrorCodes: readonly ErrorCode[] = Object.values(ErrorCode);

export function isErrorCode(value: string): value is ErrorCode {
  return (allErrorCodes as readonly string[]).includes(value);
}
