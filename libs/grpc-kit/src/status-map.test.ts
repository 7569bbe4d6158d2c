import { status, type ServiceError } from '@grpc/grpc-js';
import { allErrorCodes, BerthError, ErrorCode } from '@berth/errors';
import { grpcTarget, socketAddress } from './address';
import { fromGrpcError, toGrpcError } from './status-map';

function asServiceError(err: unknown): ServiceError {
  const object = toGrpcError(err);
  return Object.assign(new Error(object.details), object) as ServiceError;
}

describe('status map', () => {
  it.each(allErrorCodes)('round-trips %s exactly', (code) => {
    const back = fromGrpcError(asServiceError(new BerthError(code, 'boom')));
    expect(back.code).toBe(code);
    expect(back.message).toBe('boom');
  });

  it('treats unknown throwables as INTERNAL', () => {
    expect(toGrpcError(new Error('x')).code).toBe(status.INTERNAL);
    expect(fromGrpcError(asServiceError('plain string')).code).toBe(ErrorCode.Internal);
  });

  it('reads a bare status without the trailer', () => {
    const err = Object.assign(new Error('gone'), { code: status.NOT_FOUND, details: 'gone', metadata: undefined }) as unknown as ServiceError;
    expect(fromGrpcError(err).code).toBe(ErrorCode.NotFound);
  });
});

describe('grpcTarget', () => {
  it.each([
    ['unix:///tmp/a.sock', 'unix:///tmp/a.sock'],
    ['/tmp/a.sock', 'unix:///tmp/a.sock'],
    ['tcp://127.0.0.1:5000', '127.0.0.1:5000'],
    ['localhost:5000', 'localhost:5000'],
  ])('%s -> %s', (input, target) => expect(grpcTarget(input)).toBe(target));

  it.each(['', 'unix://relative', 'http://x', 'nonsense'])('refuses %j', (input) => {
    expect(() => grpcTarget(input)).toThrow(BerthError);
  });
});

describe('socketAddress', () => {
  it.each([
    ['unix:///tmp/a.sock', { path: '/tmp/a.sock' }],
    ['/tmp/a.sock', { path: '/tmp/a.sock' }],
    ['tcp://127.0.0.1:5000', { host: '127.0.0.1', port: 5000 }],
    ['[::1]:5000', { host: '::1', port: 5000 }],
  ])('%s -> %j', (input, socket) => expect(socketAddress(input)).toEqual(socket));

  it('refuses what grpcTarget refuses', () => expect(() => socketAddress('nonsense')).toThrow(BerthError));
});
