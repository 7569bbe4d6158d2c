import { type IncomingMessage, type ServerResponse } from 'node:http';
import { BerthError, ErrorCode, isBerthError } from '@berth/errors';
import { checkName, formatDigest, parseDigest } from '../names';
import { type Registry } from '../registry';
import { type UploadState } from '../blobs';
import { parseContentRange, parseRangeHeader } from './ranges';
import { send, sendError } from './respond';
import { sendObject } from './send-object';

export interface RequestContext {
  registry: Registry;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  // Whether the caller may pull from another repository (the source of a cross-repository mount).
  mayPull: (name: string) => Promise<boolean>;
}

// An upload's progress as the spec reports it; distribution's `0-0` for an empty upload.
const uploadHeaders = (name: string, upload: UploadState): Record<string, string> => ({
  Location: `/v2/${name}/blobs/uploads/${upload.id}`,
  Range: `0-${Math.max(0, upload.size - 1)}`,
  'Docker-Upload-UUID': upload.id,
});

const blobCreated = (ctx: RequestContext, name: string, digest: string): void =>
  send(ctx.res, 201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });

export async function getBlob(ctx: RequestContext, name: string, reference: string, head: boolean): Promise<void> {
  checkName(name);
  const digest = parseDigest(reference);
  const size = await ctx.registry.blobs.stat(name, digest);
  if (size === undefined) throw new BerthError(ErrorCode.BlobUnknown, `blob ${reference} not found`);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': reference,
    'Accept-Ranges': 'bytes',
    ETag: `"${reference}"`,
    'Cache-Control': 'max-age=31536000',
  };
  let range;
  try {
    range = parseRangeHeader(ctx.req.headers.range, size);
  } catch (err) {
    sendError(ctx.res, err, { 'Content-Range': `bytes */${size}` });
    return;
  }
  const status = range ? 206 : 200;
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
  const length = range ? range.end - range.start + 1 : size;
  if (head || length === 0) {
    send(ctx.res, status, { ...headers, 'Content-Length': length });
    return;
  }
  const blob = await ctx.registry.blobs.open(digest);
  try {
    ctx.res.writeHead(status, { 'Docker-Distribution-API-Version': 'registry/2.0', ...headers, 'Content-Length': length });
    await sendObject(blob, ctx.res, range?.start ?? 0, range?.end ?? size - 1);
  } catch (err) {
    // A client that hung up mid-blob (skopeo does, once it has what it needs) is not our failure.
    if (!ctx.res.destroyed || ctx.res.writableFinished) throw err;
    if (!ctx.req.socket.destroyed) ctx.req.socket.destroy();
  } finally {
    await blob.close();
  }
}

export async function deleteBlob(ctx: RequestContext, name: string, reference: string): Promise<void> {
  checkName(name);
  await ctx.registry.blobs.unlink(name, parseDigest(reference));
  send(ctx.res, 202, {});
}

// POST /v2/<name>/blobs/uploads/: a mount, a monolithic upload, or the start of one.
export async function startUpload(ctx: RequestContext, name: string): Promise<void> {
  checkName(name);
  const blobs = ctx.registry.blobs;
  const mount = ctx.query.get('mount');
  const from = ctx.query.get('from');
  if (mount !== null && from !== null) {
    const digest = parseDigest(mount);
    // Not visible in `from` (or `from` is not a name at all): the spec's fallback is a plain upload.
    let mounted = false;
    try {
      // A blob the caller may not pull from `from` is not visible to them: upload it instead.
      mounted = (await ctx.mayPull(checkName(from))) && (await blobs.mount(name, from, digest));
    } catch (err) {
      if (!isBerthError(err, ErrorCode.NameInvalid)) throw err;
    }
    if (mounted) return blobCreated(ctx, name, formatDigest(digest));
  }
  const wanted = ctx.query.get('digest');
  if (wanted !== null && mount === null) {
    const digest = parseDigest(wanted);
    const upload = await blobs.startUpload(name);
    try {
      await blobs.append(name, upload.id, ctx.req);
      await blobs.finish(name, upload.id, digest);
    } catch (err) {
      // Nobody knows this upload's id, so nothing could resume it.
      await blobs.cancel(name, upload.id).catch(() => undefined);
      throw err;
    }
    return blobCreated(ctx, name, formatDigest(digest));
  }
  const upload = await blobs.startUpload(name);
  send(ctx.res, 202, uploadHeaders(name, upload));
}

export async function uploadStatus(ctx: RequestContext, name: string, id: string): Promise<void> {
  checkName(name);
  send(ctx.res, 204, uploadHeaders(name, await ctx.registry.blobs.getUpload(name, id)));
}

export async function patchUpload(ctx: RequestContext, name: string, id: string): Promise<void> {
  checkName(name);
  const blobs = ctx.registry.blobs;
  try {
    const range = parseContentRange(ctx.req.headers['content-range']);
    send(ctx.res, 202, uploadHeaders(name, await blobs.append(name, id, ctx.req, range)));
  } catch (err) {
    if (!isBerthError(err, ErrorCode.RangeNotSatisfiable)) throw err;
    // Tell the client where the upload really is, so it can resume from there.
    const upload = await blobs.getUpload(name, id);
    sendError(ctx.res, err, uploadHeaders(name, upload));
  }
}

export async function finishUpload(ctx: RequestContext, name: string, id: string): Promise<void> {
  checkName(name);
  const wanted = ctx.query.get('digest');
  if (wanted === null) throw new BerthError(ErrorCode.DigestInvalid, 'digest query parameter missing');
  const digest = parseDigest(wanted);
  const blobs = ctx.registry.blobs;
  await blobs.append(name, id, ctx.req, parseContentRange(ctx.req.headers['content-range']));
  await blobs.finish(name, id, digest);
  blobCreated(ctx, name, formatDigest(digest));
}

export async function cancelUpload(ctx: RequestContext, name: string, id: string): Promise<void> {
  checkName(name);
  await ctx.registry.blobs.cancel(name, id);
  send(ctx.res, 204, {});
}
