export const DEFAULT_HOST = 'unix:///run/berth/berthd.sock';

// -H/--host, then BERTH_HOST, then the default root's socket, as docker does with DOCKER_HOST.
export function resolveHost(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env.BERTH_HOST;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return DEFAULT_HOST;
}
