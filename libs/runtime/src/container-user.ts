import { resolveUser, type UserIds } from '@berth/oci-spec';
import { readFileInRoot } from '@berth/scoped-fs';

// Resolves UID[:GID] or NAME[:GROUP] against the container's own /etc/passwd and /etc/group,
// read without ever leaving its root filesystem.
export async function resolveContainerUser(rootfs: string, user: string): Promise<UserIds> {
  const [passwd, group] = await Promise.all([readFileInRoot(rootfs, '/etc/passwd'), readFileInRoot(rootfs, '/etc/group')]);
  return resolveUser(user, passwd, group);
}
