import { invalidArgument } from '@berth/errors';

export interface Endpoint {
  // https://registry-1.docker.io, http://127.0.0.1:5001
  base: string;
  mirror: boolean;
}

export interface EndpointConfig {
  // Registry domain (as in references: docker.io, host:port) → mirror base URLs tried first.
  mirrors?: Record<string, string[]>;
  // Registries that may be reached over plain HTTP (host or host:port).
  insecureRegistries?: string[];
}

function hostOf(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(0, hostPort.indexOf(']') + 1);
  const colon = hostPort.lastIndexOf(':');
  return colon < 0 ? hostPort : hostPort.slice(0, colon);
}

// Plain HTTP is allowed only to this machine or to registries the operator listed, as docker does.
export function mayUsePlainHttp(hostPort: string, insecure: readonly string[] = []): boolean {
  const host = hostOf(hostPort).toLowerCase();
  if (host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  return insecure.some((entry) => entry.toLowerCase() === hostPort.toLowerCase() || entry.toLowerCase() === host);
}

// docker.io is an alias: its API lives at registry-1.docker.io.
export function registryHost(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}

function mirrorEndpoint(url: string, insecure: readonly string[]): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidArgument(`invalid registry mirror ${JSON.stringify(url)}: want an http(s) URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalidArgument(`invalid registry mirror ${url}: want http or https`);
  if (parsed.protocol === 'http:' && !mayUsePlainHttp(parsed.host, insecure)) {
    throw invalidArgument(`registry mirror ${url} uses plain HTTP: list ${parsed.host} as an insecure registry to allow it`);
  }
  return { base: `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`, mirror: true };
}

// Where to reach a registry, mirrors first. Validated when the client is made, so a bad mirror is
// reported at configuration time, not at the first pull.
export function validateEndpointConfig(config: EndpointConfig): void {
  for (const urls of Object.values(config.mirrors ?? {})) for (const url of urls) mirrorEndpoint(url, config.insecureRegistries ?? []);
}

export function endpointsFor(domain: string, config: EndpointConfig, scheme: 'https' | 'http'): Endpoint[] {
  const mirrors = (config.mirrors?.[domain] ?? []).map((url) => mirrorEndpoint(url, config.insecureRegistries ?? []));
  return [...mirrors, { base: `${scheme}://${registryHost(domain)}`, mirror: false }];
}
