import { ErrorCode } from '@berth/errors';
import { MediaType, parseManifest } from './manifest-parse';

const d = (c: string, mediaType = 'application/octet-stream'): { mediaType: string; digest: string; size: number } => ({
  mediaType,
  digest: `sha256:${c.repeat(64)}`,
  size: 1,
});
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const image = { schemaVersion: 2, mediaType: MediaType.OciManifest, config: d('c', 'application/vnd.oci.image.config.v1+json'), layers: [d('1'), d('2')] };
const invalid = expect.objectContaining({ code: ErrorCode.ManifestInvalid });

describe('parseManifest', () => {
  it('reads an OCI image manifest: blobs to check, artifact type from the config', () => {
    const parsed = parseManifest(json(image), MediaType.OciManifest);
    expect(parsed).toMatchObject({ mediaType: MediaType.OciManifest, isIndex: false, manifests: [], artifactType: 'application/vnd.oci.image.config.v1+json' });
    expect(parsed.blobs.map((b) => b.hex[0])).toEqual(['c', '1', '2']);
  });

  it('reads indexes and Docker manifest lists', () => {
    const index = { schemaVersion: 2, mediaType: MediaType.DockerList, manifests: [d('a', MediaType.DockerManifest)] };
    expect(parseManifest(json(index), MediaType.DockerList)).toMatchObject({ isIndex: true, blobs: [], manifests: [{ hex: 'a'.repeat(64) }] });
  });

  it('takes the type from the body when the Content-Type says nothing, or infers it', () => {
    expect(parseManifest(json(image), 'application/json').mediaType).toBe(MediaType.OciManifest);
    const { mediaType: _, ...bare } = image;
    expect(parseManifest(json(bare), '').mediaType).toBe(MediaType.OciManifest);
    expect(parseManifest(json({ schemaVersion: 2, manifests: [] }), '').mediaType).toBe(MediaType.OciIndex);
  });

  it('skips foreign layers and records the subject', () => {
    const withForeign = { ...image, layers: [{ ...d('f'), urls: ['https://example.com/x'] }], subject: d('e', MediaType.OciManifest), artifactType: 'application/x-sbom' };
    const parsed = parseManifest(json(withForeign), MediaType.OciManifest);
    expect(parsed.blobs).toHaveLength(1);
    expect(parsed.subject?.hex).toBe('e'.repeat(64));
    expect(parsed.artifactType).toBe('application/x-sbom');
  });

  it.each([
    ['not JSON', Buffer.from('{'), MediaType.OciManifest],
    ['an array', json([]), MediaType.OciManifest],
    ['schema 1', json({ ...image, schemaVersion: 1 }), MediaType.OciManifest],
    ['both manifests and layers', json({ ...image, manifests: [] }), MediaType.OciManifest],
    ['both manifests and layers, untyped', json({ schemaVersion: 2, manifests: [], layers: [] }), ''],
    ['mediaType contradicting Content-Type', json(image), MediaType.DockerManifest],
    ['an index body sent as a manifest', json({ schemaVersion: 2, manifests: [] }), MediaType.OciManifest],
    ['a manifest body sent as an index', json({ ...image, mediaType: undefined }), MediaType.OciIndex],
    ['an unsupported type', json(image), 'text/plain'],
    ['a bad digest', json({ ...image, layers: [{ ...d('1'), digest: 'sha256:zz' }] }), MediaType.OciManifest],
    ['a negative size', json({ ...image, layers: [{ ...d('1'), size: -1 }] }), MediaType.OciManifest],
    ['no config', json({ ...image, config: undefined }), MediaType.OciManifest],
    ['layers not an array', json({ ...image, layers: {} }), MediaType.OciManifest],
    ['non-string annotations', json({ ...image, annotations: { a: 1 } }), MediaType.OciManifest],
  ])('refuses %s', (_what, bytes, contentType) => {
    expect(() => parseManifest(bytes, contentType)).toThrow(invalid);
  });
});
