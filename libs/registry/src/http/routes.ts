// The API's routes. Repository names contain slashes, so each route is a regular expression over
// the whole path (as in distribution); names are validated afterwards, not here.
export type Route =
  | { kind: 'base' }
  | { kind: 'token' }
  | { kind: 'usage' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'referrers'; name: string; digest: string }
  | { kind: 'search' }
  // Webhooks (src/webhooks/http.ts).
  | { kind: 'webhooks'; name: string }
  | { kind: 'webhook'; name: string; id: string }
  | { kind: 'deliveries'; name: string; id: string }
  // The web UI (src/ui/ui-handler.ts routes within it).
  | { kind: 'ui' };

const patterns: [RegExp, (m: RegExpExecArray) => Route][] = [
  [/^\/v2\/?$/, () => ({ kind: 'base' })],
  [/^\/token$/, () => ({ kind: 'token' })],
  [/^\/v1\/search$/, () => ({ kind: 'search' })],
  [/^\/(?:ui(?:\/.*)?)?$/, () => ({ kind: 'ui' })],
  [/^\/v2\/_berth\/usage$/, () => ({ kind: 'usage' })],
  [/^\/v2\/_berth\/repositories\/(.+)\/webhooks\/([^/]+)\/deliveries$/, (m) => ({ kind: 'deliveries', name: m[1]!, id: m[2]! })],
  [/^\/v2\/_berth\/repositories\/(.+)\/webhooks\/?$/, (m) => ({ kind: 'webhooks', name: m[1]! })],
  [/^\/v2\/_berth\/repositories\/(.+)\/webhooks\/([^/]+)$/, (m) => ({ kind: 'webhook', name: m[1]!, id: m[2]! })],
  [/^\/v2\/_catalog$/, () => ({ kind: 'catalog' })],
  [/^\/v2\/(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1]! })],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: m[1]!, reference: m[2]! })],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: 'uploads', name: m[1]! })],
  [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, (m) => ({ kind: 'upload', name: m[1]!, id: m[2]! })],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1]!, digest: m[2]! })],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, (m) => ({ kind: 'referrers', name: m[1]!, digest: m[2]! })],
];

export function matchRoute(pathname: string): Route | undefined {
  for (const [pattern, build] of patterns) {
    const match = pattern.exec(pathname);
    if (match) return build(match);
  }
  return undefined;
}
