import { resolveUser, type UserIds } from '@berth/oci-spec';
import { readFileInRootSync } from '@berth/scoped-fs';

// Resolves UID[:GID] or NAME[:GROUP] against the container's own /etc/passwd and /etc/group,
// read without ever leaving its root filesystem.
export function resolveContainerUser(rootfs: string, user: string): UserIds {
  return resolveUser(user, readFileInRootSync(rootfs, '/etc/passwd'), readFileInRootSync(rootfs, '/etc/group'));
}
