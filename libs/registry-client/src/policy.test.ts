import { parseChallenges } from './auth';
import { endpointsFor, mayUsePlainHttp } from './endpoints';
import { parseManifest } from './manifest';
import { layerCompression, MediaType } from './media-types';
import { normalizePlatform, parsePlatform, selectPlatform } from './platform';
import { RegistryClient } from './registry-client';

describe('registry policy', () => {
  it('parses WWW-Authenticate challenges', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
    ]);
    expect(parseChallenges('Basic realm="r", Bearer realm="t",service=s')).toEqual([
      { scheme: 'basic', params: { realm: 'r' } },
      { scheme: 'bearer', params: { realm: 't', service: 's' } },
    ]);
  });

  it('maps docker.io and allows plain HTTP only to this machine or listed hosts', () => {
    expect(endpointsFor('docker.io', {}, 'https')).toEqual([{ base: 'https://registry-1.docker.io', mirror: false }]);
    expect(endpointsFor('docker.io', { mirrors: { 'docker.io': ['https://mirror.example/'] } }, 'https')[0]).toEqual({ base: 'https://mirror.example', mirror: true });
    for (const host of ['localhost:5000', '127.0.0.1:5001', '127.1.2.3', '[::1]:5000']) expect(mayUsePlainHttp(host)).toBe(true);
    for (const host of ['example.com', '10.0.0.1:5000', '128.0.0.1']) expect(mayUsePlainHttp(host)).toBe(false);
    expect(mayUsePlainHttp('reg.lan:5000', ['reg.lan:5000'])).toBe(true);
    expect(() => new RegistryClient({ mirrors: { 'docker.io': ['http://mirror.example'] } })).toThrow(/insecure/);
  });

  it('normalises platforms and picks the closest variant', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(normalizePlatform({ os: 'linux', architecture: 'x86_64' })).toEqual({ os: 'linux', architecture: 'amd64' });
    const d = (architecture: string, variant?: string) => ({ mediaType: MediaType.OciManifest, digest: `sha256:${architecture}${variant ?? ''}`, size: 1, platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) } });
    const list = [d('arm', 'v5'), d('arm', 'v6'), d('arm', 'v7'), d('amd64'), d('arm64', 'v8')];
    expect(selectPlatform(list, { os: 'linux', architecture: 'arm', variant: 'v7' }).digest).toBe('sha256:armv7');
    expect(selectPlatform([d('arm', 'v5'), d('arm', 'v6')], { os: 'linux', architecture: 'arm', variant: 'v7' }).digest).toBe('sha256:armv6');
    expect(selectPlatform(list, { os: 'linux', architecture: 'arm64' }).digest).toBe('sha256:arm64v8');
    expect(() => selectPlatform([d('arm', 'v7')], { os: 'linux', architecture: 'arm', variant: 'v6' })).toThrow(/no matching manifest/);
    expect(() => parsePlatform('linux/amd64/v2/x')).toThrow(/invalid platform/);
  });

  it('reads manifests by header or body media type and layer compression', () => {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
    expect(parseManifest(body, 'application/json').kind).toBe('index');
    expect(parseManifest(body, `${MediaType.DockerManifestList}; charset=utf-8`).mediaType).toBe(MediaType.DockerManifestList);
    expect(() => parseManifest(Buffer.from('nope'), null)).toThrow(/not valid JSON/);
    expect(layerCompression('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe('gzip');
    expect(layerCompression('application/vnd.oci.image.layer.v1.tar+zstd')).toBe('zstd');
    expect(() => layerCompression('application/vnd.cncf.helm.chart.content.v1.tar+gzip')).toThrow(/unsupported layer media type/);
  });
});
