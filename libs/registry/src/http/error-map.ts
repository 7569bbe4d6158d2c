import { ErrorCode, errorCodeOf, errorMessageOf } from '@berth/errors';

export interface RegistryErrorShape {
  status: number;
  // The OCI Distribution Spec's error code for the body.
  oci: string;
}

// The one place where Berth's error codes become HTTP statuses and OCI error codes. Codes the
// registry never raises itself still map somewhere sensible rather than to a bare 500.
const table: Record<ErrorCode, RegistryErrorShape> = {
  [ErrorCode.BlobUnknown]: { status: 404, oci: 'BLOB_UNKNOWN' },
  [ErrorCode.BlobUploadInvalid]: { status: 400, oci: 'BLOB_UPLOAD_INVALID' },
  [ErrorCode.BlobUploadUnknown]: { status: 404, oci: 'BLOB_UPLOAD_UNKNOWN' },
  [ErrorCode.DigestInvalid]: { status: 400, oci: 'DIGEST_INVALID' },
  [ErrorCode.DigestMismatch]: { status: 400, oci: 'DIGEST_INVALID' },
  [ErrorCode.ManifestBlobUnknown]: { status: 404, oci: 'MANIFEST_BLOB_UNKNOWN' },
  [ErrorCode.ManifestInvalid]: { status: 400, oci: 'MANIFEST_INVALID' },
  [ErrorCode.ManifestUnknown]: { status: 404, oci: 'MANIFEST_UNKNOWN' },
  [ErrorCode.NameInvalid]: { status: 400, oci: 'NAME_INVALID' },
  [ErrorCode.NameUnknown]: { status: 404, oci: 'NAME_UNKNOWN' },
  [ErrorCode.SizeInvalid]: { status: 400, oci: 'SIZE_INVALID' },
  [ErrorCode.RangeNotSatisfiable]: { status: 416, oci: 'BLOB_UPLOAD_INVALID' },
  [ErrorCode.PayloadTooLarge]: { status: 413, oci: 'SIZE_INVALID' },
  [ErrorCode.Unauthenticated]: { status: 401, oci: 'UNAUTHORIZED' },
  [ErrorCode.PermissionDenied]: { status: 403, oci: 'DENIED' },
  [ErrorCode.ResourceExhausted]: { status: 429, oci: 'TOOMANYREQUESTS' },
  [ErrorCode.Unimplemented]: { status: 405, oci: 'UNSUPPORTED' },
  [ErrorCode.InvalidArgument]: { status: 400, oci: 'UNSUPPORTED' },
  [ErrorCode.NotFound]: { status: 404, oci: 'NAME_UNKNOWN' },
  [ErrorCode.AlreadyExists]: { status: 409, oci: 'DENIED' },
  [ErrorCode.Conflict]: { status: 409, oci: 'DENIED' },
  [ErrorCode.FailedPrecondition]: { status: 409, oci: 'DENIED' },
  [ErrorCode.Unavailable]: { status: 503, oci: 'UNAVAILABLE' },
  [ErrorCode.Canceled]: { status: 400, oci: 'UNKNOWN' },
  [ErrorCode.DeadlineExceeded]: { status: 504, oci: 'UNKNOWN' },
  [ErrorCode.CommandNotExecutable]: { status: 500, oci: 'UNKNOWN' },
  [ErrorCode.CommandNotFound]: { status: 500, oci: 'UNKNOWN' },
  [ErrorCode.Internal]: { status: 500, oci: 'UNKNOWN' },
};

export function registryErrorShape(err: unknown): RegistryErrorShape {
  return table[errorCodeOf(err)];
}

// The spec's error body: {"errors":[{"code","message","detail"}]}. Internal errors do not leak
// their message (it may carry paths).
export function registryErrorBody(err: unknown): { status: number; body: string } {
  const shape = registryErrorShape(err);
  const message = shape.status >= 500 ? 'internal error' : errorMessageOf(err);
  return { status: shape.status, body: JSON.stringify({ errors: [{ code: shape.oci, message, detail: null }] }) };
}
