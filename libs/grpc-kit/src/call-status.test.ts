import { constants as http2 } from 'node:http2';
import { status as Status } from '@grpc/grpc-js';
import { statusFromClose, statusFromTrailers } from './call-status';

describe('statusFromTrailers', () => {
  it('takes the status and its percent-encoded message, leaving the rest as metadata', () => {
    const status = statusFromTrailers({ 'grpc-status': '5', 'grpc-message': 'no%20such%20thing', 'berth-error-code': 'NOT_FOUND' }, 200);
    expect(status.code).toBe(Status.NOT_FOUND);
    expect(status.details).toBe('no such thing');
    expect(status.metadata.get('berth-error-code')).toEqual(['NOT_FOUND']);
    expect(status.metadata.get('grpc-status')).toEqual([]);
  });

  it('keeps a message that is no valid percent-encoding as it came', () => {
    expect(statusFromTrailers({ 'grpc-status': '13', 'grpc-message': '100% broken' }, 200).details).toBe('100% broken');
  });

  it('without a status, says what the HTTP status says, or that none came', () => {
    expect(statusFromTrailers({}, 503).code).toBe(Status.UNAVAILABLE);
    expect(statusFromTrailers({}, 404).code).toBe(Status.UNIMPLEMENTED);
    expect(statusFromTrailers({}, 200)).toMatchObject({ code: Status.UNKNOWN, details: 'No status information received' });
  });
});

describe('statusFromClose', () => {
  const lost = new Error('connect ECONNREFUSED');

  it('tells a cancelled call from one whose connection went away', () => {
    expect(statusFromClose(http2.NGHTTP2_CANCEL, undefined, 200)).toMatchObject({ code: Status.CANCELLED, details: 'Call cancelled' });
    expect(statusFromClose(http2.NGHTTP2_CANCEL, lost, undefined)).toMatchObject({ code: Status.UNAVAILABLE, details: 'connect ECONNREFUSED' });
    expect(statusFromClose(http2.NGHTTP2_INTERNAL_ERROR, lost, undefined).code).toBe(Status.UNAVAILABLE);
  });

  it('maps the server\'s resets as grpc-js does', () => {
    expect(statusFromClose(http2.NGHTTP2_REFUSED_STREAM, undefined, undefined).code).toBe(Status.UNAVAILABLE);
    expect(statusFromClose(http2.NGHTTP2_ENHANCE_YOUR_CALM, undefined, undefined).code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(statusFromClose(http2.NGHTTP2_INTERNAL_ERROR, undefined, undefined).code).toBe(Status.INTERNAL);
    expect(statusFromClose(http2.NGHTTP2_PROTOCOL_ERROR, undefined, undefined)).toMatchObject({ code: Status.INTERNAL, details: 'Received RST_STREAM with code 1' });
  });

  it('reads a clean close without a status as an HTTP error, a lost connection or a broken server', () => {
    expect(statusFromClose(http2.NGHTTP2_NO_ERROR, undefined, 502).code).toBe(Status.UNAVAILABLE);
    expect(statusFromClose(undefined, lost, undefined)).toMatchObject({ code: Status.UNAVAILABLE, details: 'connect ECONNREFUSED' });
    expect(statusFromClose(http2.NGHTTP2_NO_ERROR, undefined, 200).code).toBe(Status.INTERNAL);
  });
});
