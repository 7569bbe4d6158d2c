import { parseReference } from '@berth/reference';

// The registry a login names: `127.0.0.1:5000`, `https://127.0.0.1:5000/`, or Docker Hub
// (nothing, docker.io, index.docker.io, or Docker Hub's URL).
export function registryDomainOf(server: string): string {
  const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (host === '' || host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') return 'docker.io';
  return parseReference(`${host}/x`).domain;
}
