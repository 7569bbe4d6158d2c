import type { daemon } from '@berth/proto';
import type { RegistryAuth } from '@berth/pull-queue';

// The credentials a request carries, or undefined when it carries none.
export function registryAuth(auth: daemon.RegistryAuth | undefined): RegistryAuth | undefined {
  if (!auth || (auth.username === '' && auth.password === '')) return undefined;
  return { username: auth.username, password: auth.password };
}
