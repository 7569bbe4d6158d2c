// Generated code lives in ./gen and is never edited by hand: run `npm run proto`.
export * as types from './gen/berth/types/v1/types';
export * as daemon from './gen/berth/daemon/v1/daemon';
export * as imagestore from './gen/berth/imagestore/v1/image_store';
export * as runtime from './gen/berth/runtime/v1/runtime';
export * as health from './gen/grpc/health/v1/health';
