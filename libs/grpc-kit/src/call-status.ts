import { constants as http2, type IncomingHttpHeaders } from 'node:http2';
import { Metadata, status as Status, type StatusObject } from '@grpc/grpc-js';

// How a gRPC call over HTTP/2 ends, from what the server sent (trailers, or a reset), the way
// grpc-js's own channel reports it, so that a DirectChannel's callers see the same statuses.

const isHttpError = (httpStatus: number | undefined): httpStatus is number => httpStatus !== undefined && httpStatus !== 200;

// A server that answered with another HTTP status is no gRPC server (or a proxy in the way).
export function httpStatusError(httpStatus: number): StatusObject {
  const mapped: Record<number, Status> = {
    400: Status.INTERNAL,
    401: Status.UNAUTHENTICATED,
    403: Status.PERMISSION_DENIED,
    404: Status.UNIMPLEMENTED,
    429: Status.UNAVAILABLE,
    502: Status.UNAVAILABLE,
    503: Status.UNAVAILABLE,
    504: Status.UNAVAILABLE,
  };
  return { code: mapped[httpStatus] ?? Status.UNKNOWN, details: `Received HTTP status code ${httpStatus}`, metadata: new Metadata() };
}

// The status in a call's trailers (or in the headers of a trailers-only answer); the rest of
// them is the status's metadata.
export function statusFromTrailers(headers: IncomingHttpHeaders, httpStatus: number | undefined): StatusObject {
  let metadata: Metadata;
  try {
    metadata = Metadata.fromHttp2Headers(headers);
  } catch {
    metadata = new Metadata();
  }
  const code = metadata.get('grpc-status')[0];
  if (typeof code !== 'string') {
    const fallback = isHttpError(httpStatus) ? httpStatusError(httpStatus) : { code: Status.UNKNOWN, details: 'No status information received' };
    return { ...fallback, metadata };
  }
  const message = metadata.get('grpc-message')[0];
  metadata.remove('grpc-status');
  metadata.remove('grpc-message');
  let details = '';
  if (typeof message === 'string') {
    try {
      details = decodeURI(message);
    } catch {
      details = message;
    }
  }
  return { code: Number(code), details, metadata };
}

// A stream that closed before its status came: by its reset code, a lost connection (why it was
// lost) or an HTTP error.
export function statusFromClose(rstCode: number | undefined, lost: Error | undefined, httpStatus: number | undefined): StatusObject {
  const status = (code: Status, details: string): StatusObject => ({ code, details, metadata: new Metadata() });
  switch (rstCode ?? http2.NGHTTP2_NO_ERROR) {
    case http2.NGHTTP2_NO_ERROR:
      if (isHttpError(httpStatus)) return httpStatusError(httpStatus);
      if (lost !== undefined) return status(Status.UNAVAILABLE, lost.message);
      return status(Status.INTERNAL, `Received RST_STREAM with code ${rstCode ?? 0} (Call ended without gRPC status)`);
    case http2.NGHTTP2_REFUSED_STREAM:
      return status(Status.UNAVAILABLE, 'Stream refused by server');
    case http2.NGHTTP2_CANCEL:
      return lost === undefined ? status(Status.CANCELLED, 'Call cancelled') : status(Status.UNAVAILABLE, lost.message);
    case http2.NGHTTP2_ENHANCE_YOUR_CALM:
      return status(Status.RESOURCE_EXHAUSTED, 'Bandwidth exhausted or memory limit exceeded');
    case http2.NGHTTP2_INTERNAL_ERROR:
      if (lost !== undefined) return status(Status.UNAVAILABLE, lost.message);
      return status(Status.INTERNAL, `Received RST_STREAM with code ${rstCode ?? 0}`);
    default:
      return status(Status.INTERNAL, `Received RST_STREAM with code ${rstCode ?? 0}`);
  }
}
