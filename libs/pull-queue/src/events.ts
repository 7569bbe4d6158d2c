import type { ErrorCode } from '@berth/errors';

// A pull's progress as the image store reports it (the same shape as @berth/image-store's
// PullProgress, restated here so that the queue does not depend on the store).
export type LayerStatus = 'waiting' | 'downloading' | 'verifying' | 'extracting' | 'complete' | 'exists';

export type PullEvent =
  | { type: 'resolved'; reference: string; digest: string; layers: Array<{ id: string; digest: string; size: number }> }
  | { type: 'layer'; id: string; digest: string; status: LayerStatus; current?: number; total?: number }
  | { type: 'done'; reference: string; digest: string; imageId: string; upToDate: boolean };

export type PullListener = (event: PullEvent) => void;

// Credentials for the registry, as the client sent them (docker's X-Registry-Auth). They travel
// in the job's data through the stack's own Redis and go when the job does; never in job IDs.
export interface RegistryAuth {
  username: string;
  password: string;
}

export interface PullRequest {
  // As the user wrote it; the worker normalises it again.
  reference: string;
  // os/arch[/variant], or '' for the worker's host platform.
  platform: string;
  auth?: RegistryAuth;
}

export interface PullSuccess {
  reference: string;
  digest: string;
  imageId: string;
  upToDate: boolean;
}

// What a job returns. A pull that fails with a BerthError (no such image, bad digest, registry
// unreachable) completes with it, so every waiter gets its stable code rather than a string.
export type PullOutcome = ({ ok: true } & PullSuccess) | { ok: false; code: ErrorCode; message: string };
