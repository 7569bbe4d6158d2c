// A small OCI Distribution registry for the client's tests: manifests, blobs, Range, bearer or
// basic auth, and scripted misbehaviour (5xx, hangs, dropped connections, wrong bytes).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const sha = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export interface FakeManifest {
  body: Buffer;
  contentType: string;
  digestHeader?: string;
}

export interface Misbehaviour {
  // Answer 503 this many times first.
  fail503?: number;
  // Never answer (or, with `afterBytes`, stop sending after that many body bytes).
  hang?: boolean;
  afterBytes?: number;
  // Close the connection after this many body bytes, this many times.
  dropAfter?: { bytes: number; times: number };
  ignoreRange?: boolean;
}

export class FakeRegistry {
  private server!: Server;
  readonly manifests = new Map<string, FakeManifest>();
  readonly blobs = new Map<string, Buffer>();
  readonly misbehave = new Map<string, Misbehaviour>();
  readonly requests: string[] = [];
  auth: 'none' | 'bearer' | 'basic' = 'none';
  users: Record<string, string> = {};
  tokensIssued = 0;
  // Like Docker Hub's token server: how long a token lasts, as told to the client...
  tokenTtlSeconds = 300;
  // ...and how long the registry really honours it (a token may die early: revoked, clock skew).
  tokenHonouredMs: number | undefined;
  private readonly tokenExpiry = new Map<string, number>();
  port = 0;

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  putManifest(ref: string, value: object | Buffer, contentType: string): string {
    const body = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
    const digest = sha(body);
    this.manifests.set(ref, { body, contentType, digestHeader: digest });
    this.manifests.set(digest, { body, contentType, digestHeader: digest });
    return digest;
  }

  putBlob(data: Buffer): { digest: string; size: number } {
    const digest = sha(data);
    this.blobs.set(digest, data);
    return { digest, size: data.length };
  }

  private basicOk(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    const [user, pass] = Buffer.from(header.slice(6), 'base64').toString().split(':');
    return user !== undefined && this.users[user] === pass;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    this.requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/token') {
      if (Object.keys(this.users).length > 0 && req.headers.authorization && !this.basicOk(req.headers.authorization)) {
        res.writeHead(401).end();
        return;
      }
      if (url.searchParams.get('service') !== 'fake' || url.searchParams.getAll('scope').length === 0) {
        res.writeHead(400).end('{"details":"service and scope are required"}');
        return;
      }
      this.tokensIssued++;
      const token = `tok-${this.tokensIssued}-${url.searchParams.getAll('scope').join(',')}`;
      this.tokenExpiry.set(token, Date.now() + (this.tokenHonouredMs ?? this.tokenTtlSeconds * 1000));
      const body = { token, access_token: token, expires_in: this.tokenTtlSeconds, issued_at: new Date().toISOString() };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    const authz = req.headers.authorization;
    if (this.auth === 'bearer' && !((this.tokenExpiry.get(authz?.replace(/^Bearer /, '') ?? '') ?? 0) > Date.now())) {
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${this.host}/token",service="fake",scope="repository:lib/app:pull"` }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    if (this.auth === 'basic' && !this.basicOk(authz)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"' }).end();
      return;
    }
    const script = this.misbehave.get(url.pathname);
    if (script?.fail503) {
      script.fail503--;
      res.writeHead(503).end('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}');
      return;
    }
    if (script?.hang && script.afterBytes === undefined) return;
    if (url.pathname === '/v2/') {
      res.writeHead(200).end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const [, , kind, ref] = m as unknown as [string, string, string, string];
    if (kind === 'manifests') {
      const manifest = this.manifests.get(ref);
      if (!manifest) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
        return;
      }
      res.writeHead(200, { 'Content-Type': manifest.contentType, ...(manifest.digestHeader ? { 'Docker-Content-Digest': manifest.digestHeader } : {}) }).end(manifest.body);
      return;
    }
    const blob = this.blobs.get(ref);
    if (!blob) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}');
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range && !script?.ignoreRange ? Number(range[1]) : 0;
    const body = blob.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, { 'Content-Length': String(body.length), 'Content-Type': 'application/octet-stream' });
    if (script?.hang && script.afterBytes !== undefined) {
      res.write(body.subarray(0, script.afterBytes));
      return;
    }
    if (script?.dropAfter && script.dropAfter.times > 0) {
      script.dropAfter.times--;
      res.write(body.subarray(0, script.dropAfter.bytes), () => res.destroy());
      return;
    }
    res.end(body);
  }
}
