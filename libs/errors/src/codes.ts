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
  // The caller did not authenticate (registry: 401 UNAUTHORIZED).
  Unauthenticated: 'UNAUTHENTICATED',
  // The caller sent too many requests (registry: 429 TOOMANYREQUESTS).
  ResourceExhausted: 'RESOURCE_EXHAUSTED',
  // Registry (OCI Distribution) failures, named as the spec names them; the registry maps them to
  // HTTP statuses in libs/registry/src/http/error-map.ts.
  BlobUnknown: 'BLOB_UNKNOWN',
  BlobUploadInvalid: 'BLOB_UPLOAD_INVALID',
  BlobUploadUnknown: 'BLOB_UPLOAD_UNKNOWN',
  DigestInvalid: 'DIGEST_INVALID',
  ManifestBlobUnknown: 'MANIFEST_BLOB_UNKNOWN',
  ManifestInvalid: 'MANIFEST_INVALID',
  ManifestUnknown: 'MANIFEST_UNKNOWN',
  NameInvalid: 'NAME_INVALID',
  NameUnknown: 'NAME_UNKNOWN',
  SizeInvalid: 'SIZE_INVALID',
  // A byte range outside the content (HTTP 416).
  RangeNotSatisfiable: 'RANGE_NOT_SATISFIABLE',
  // A request body over the allowed size (HTTP 413).
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const allErrorCodes: readonly ErrorCode[] = Object.values(ErrorCode);

export function isErrorCode(value: string): value is ErrorCode {
  return (allErrorCodes as readonly string[]).includes(value);
}
