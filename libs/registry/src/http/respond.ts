import { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { BerthError, ErrorCode } from '@berth/errors';
import { registryErrorBody } from './error-map';

export const API_VERSION_HEADER = { 'Docker-Distribution-API-Version': 'registry/2.0' };

export function send(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body?: string | Buffer): void {
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(status, { ...API_VERSION_HEADER, 'Content-Length': payload?.length ?? 0, ...headers });
  res.end(payload);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: OutgoingHttpHeaders = {}, head = false): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { ...API_VERSION_HEADER, 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers });
  res.end(head ? undefined : body);
}

export function sendError(res: ServerResponse, err: unknown, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    // Mid-body: the only honest signal left is a cut connection.
    res.destroy();
    return;
  }
  const { status, body } = registryErrorBody(err);
  send(res, status, { 'Content-Type': 'application/json', ...headers }, body);
}

// Reads a whole (small) request body, refusing more than `limit` bytes without buffering them.
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = (): BerthError => new BerthError(ErrorCode.PayloadTooLarge, `request body over ${limit} bytes`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
