// What a pull reports as it goes, shaped after docker's per-layer progress so the CLI can render
// it and a queue can forward it as it is. `id` is the layer's short ID (12 hex digits of its blob
// digest), as docker prints it.
export type LayerStatus = 'waiting' | 'downloading' | 'verifying' | 'extracting' | 'complete' | 'exists';

export type PullProgress =
  | { type: 'resolved'; reference: string; digest: string; layers: Array<{ id: string; digest: string; size: number }> }
  | { type: 'layer'; id: string; digest: string; status: LayerStatus; current?: number; total?: number }
  | { type: 'done'; reference: string; digest: string; imageId: string; upToDate: boolean };

export type ProgressListener = (event: PullProgress) => void;

export function shortId(digest: string): string {
  return digest.slice('sha256:'.length, 'sha256:'.length + 12);
}

// Listeners are the caller's code: one that throws must not break the pull.
export function safeListener(listener: ProgressListener | undefined): ProgressListener {
  return (event) => {
    try {
      listener?.(event);
    } catch {
      // Ignored on purpose: progress is advisory.
    }
  };
}
