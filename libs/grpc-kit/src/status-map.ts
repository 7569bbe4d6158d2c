import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { BerthError, ErrorCode, errorCodeOf, errorMessageOf, isErrorCode } from '@berth/errors';

// The one place where Berth's error codes meet gRPC status codes.
const toStatus: Record<ErrorCode, status> = {
  [ErrorCode.InvalidArgument]: status.INVALID_ARGUMENT,
  [ErrorCode.NotFound]: status.NOT_FOUND,
  [ErrorCode.AlreadyExists]: status.ALREADY_EXISTS,
  [ErrorCode.Conflict]: status.FAILED_PRECONDITION,
  [ErrorCode.FailedPrecondition]: status.FAILED_PRECONDITION,
  [ErrorCode.DigestMismatch]: status.DATA_LOSS,
  [ErrorCode.Unavailable]: status.UNAVAILABLE,
  [ErrorCode.Unimplemented]: status.UNIMPLEMENTED,
  [ErrorCode.PermissionDenied]: status.PERMISSION_DENIED,
  [ErrorCode.Canceled]: status.CANCELLED,
  [ErrorCode.DeadlineExceeded]: status.DEADLINE_EXCEEDED,
  [ErrorCode.CommandNotExecutable]: status.FAILED_PRECONDITION,
  [ErrorCode.CommandNotFound]: status.FAILED_PRECONDITION,
  [ErrorCode.Unauthenticated]: status.UNAUTHENTICATED,
  [ErrorCode.ResourceExhausted]: status.RESOURCE_EXHAUSTED,
  [ErrorCode.BlobUnknown]: status.NOT_FOUND,
  [ErrorCode.BlobUploadInvalid]: status.INVALID_ARGUMENT,
  [ErrorCode.BlobUploadUnknown]: status.NOT_FOUND,
  [ErrorCode.DigestInvalid]: status.INVALID_ARGUMENT,
  [ErrorCode.ManifestBlobUnknown]: status.FAILED_PRECONDITION,
  [ErrorCode.ManifestInvalid]: status.INVALID_ARGUMENT,
  [ErrorCode.ManifestUnknown]: status.NOT_FOUND,
  [ErrorCode.NameInvalid]: status.INVALID_ARGUMENT,
  [ErrorCode.NameUnknown]: status.NOT_FOUND,
  [ErrorCode.SizeInvalid]: status.INVALID_ARGUMENT,
  [ErrorCode.RangeNotSatisfiable]: status.OUT_OF_RANGE,
  [ErrorCode.PayloadTooLarge]: status.RESOURCE_EXHAUSTED,
  [ErrorCode.Internal]: status.INTERNAL,
};

const fromStatus: Partial<Record<status, ErrorCode>> = {
  [status.INVALID_ARGUMENT]: ErrorCode.InvalidArgument,
  [status.NOT_FOUND]: ErrorCode.NotFound,
  [status.ALREADY_EXISTS]: ErrorCode.AlreadyExists,
  [status.FAILED_PRECONDITION]: ErrorCode.FailedPrecondition,
  [status.DATA_LOSS]: ErrorCode.DigestMismatch,
  [status.UNAVAILABLE]: ErrorCode.Unavailable,
  [status.UNIMPLEMENTED]: ErrorCode.Unimplemented,
  [status.PERMISSION_DENIED]: ErrorCode.PermissionDenied,
  [status.CANCELLED]: ErrorCode.Canceled,
  [status.DEADLINE_EXCEEDED]: ErrorCode.DeadlineExceeded,
};

// Trailer that carries the exact Berth code across a hop, since several codes share a status.
const CODE_KEY = 'berth-error-code';

export function toGrpcError(err: unknown): Partial<StatusObject> {
  const code = errorCodeOf(err);
  const metadata = new Metadata();
  metadata.set(CODE_KEY, code);
  return { code: toStatus[code], details: errorMessageOf(err), metadata };
}

export function fromGrpcError(err: ServiceError): BerthError {
  const carried = err.metadata?.get(CODE_KEY)[0];
  const code =
    typeof carried === 'string' && isErrorCode(carried) ? carried : (fromStatus[err.code as status] ?? ErrorCode.Internal);
  const message = err.details || err.message;
  return new BerthError(code, message, { cause: err });
}

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'details' in err;
}
