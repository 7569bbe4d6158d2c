import { invalidArgument } from '@berth/errors';
import type { daemon } from '@berth/proto';
import { parseReference } from '@berth/reference';
import { verifyLogin, type RegistryClient } from '@berth/registry-client';
import { registryAuth } from './registry-auth';

// docker's /auth: the credentials are checked against the registry and never kept here.
export async function login(registry: RegistryClient, request: daemon.LoginRequest, signal?: AbortSignal): Promise<daemon.LoginResponse> {
  const auth = registryAuth(request.auth);
  if (!auth || auth.username === '' || auth.password === '') throw invalidArgument('a login needs a username and a password');
  await verifyLogin(registry, registryDomain(request.server), auth, signal);
  return { status: 'Login Succeeded' };
}

// The client sends the registry's domain as references name it (docker.io, host:port); it is
// checked as the host of a reference so a bad one gets the parser's error.
function registryDomain(server: string): string {
  return server === '' ? 'docker.io' : parseReference(`${server}/x`).domain;
}
