import { BerthError, ErrorCode } from '@berth/errors';

// A layer that unpacks to more than the store allows: a decompression bomb, or a cap set too low.
export function layerTooLarge(maxSize: number): BerthError {
  return new BerthError(ErrorCode.PayloadTooLarge, `layer exceeds the uncompressed size limit of ${maxSize} bytes (the image store's --max-layer-size)`);
}
