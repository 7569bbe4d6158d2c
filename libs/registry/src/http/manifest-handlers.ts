import { checkName, parseDigest } from '../names';
import { MediaType } from '../manifest-parse';
import { type RequestContext } from './blob-handlers';
import { readBody, send, sendJson } from './respond';

export async function getManifest(ctx: RequestContext, name: string, reference: string, head: boolean): Promise<void> {
  const manifest = await ctx.registry.getManifest(name, reference);
  const headers = {
    'Content-Type': manifest.mediaType,
    'Docker-Content-Digest': manifest.digest,
    ETag: `"${manifest.digest}"`,
    'Content-Length': manifest.size,
  };
  if (head) send(ctx.res, 200, headers);
  else send(ctx.res, 200, headers, manifest.bytes);
}

export async function putManifest(ctx: RequestContext, name: string, reference: string): Promise<void> {
  checkName(name);
  const bytes = await readBody(ctx.req, ctx.registry.options.maxManifestSize);
  const { digest, subject } = await ctx.registry.putManifest(name, reference, bytes, ctx.req.headers['content-type'] ?? '');
  const headers: Record<string, string> = { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest };
  if (subject) headers['OCI-Subject'] = subject;
  send(ctx.res, 201, headers);
}

export async function deleteManifest(ctx: RequestContext, name: string, reference: string): Promise<void> {
  await ctx.registry.deleteManifest(name, reference);
  send(ctx.res, 202, {});
}

export async function listReferrers(ctx: RequestContext, name: string, subject: string): Promise<void> {
  checkName(name);
  parseDigest(subject);
  const artifactType = ctx.query.get('artifactType') ?? undefined;
  const manifests = await ctx.registry.referrers(name, subject, artifactType);
  const headers: Record<string, string> = { 'Content-Type': MediaType.OciIndex };
  if (artifactType !== undefined) headers['OCI-Filters-Applied'] = 'artifactType';
  sendJson(ctx.res, 200, { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }, headers);
}
