// The container's root filesystem, mounted by the monitor just before the runtime runs, so that
// the caller spawns no mount(8) of its own (see PROTOCOL.md, --rootfs-mount).
#ifndef BERTH_MONITOR_ROOTFS_H
#define BERTH_MONITOR_ROOTFS_H

#include <stddef.h>

#define MAX_ROOTFS_MOUNTS 16

// One containerd-style mount onto the rootfs itself (mounts below it would have to resolve paths
// inside the container's files, which are hostile; snapshots never need them): TYPE, SOURCE and
// mount(8)-style comma-separated OPTIONS.
struct rootfs_mount {
  const char *type;
  const char *source;
  const char *options;
};

// Splits "TYPE\tSOURCE\tOPTIONS" in place. Returns -1 with a reason in err.
int parse_rootfs_mount(char *spec, struct rootfs_mount *out, char *err, size_t errlen);

// Makes the rootfs directory if need be and mounts each mount onto it, in order. On failure
// undoes what it mounted and returns -1 with a reason in err.
int mount_rootfs(const char *rootfs, const struct rootfs_mount *mounts, size_t count, char *err, size_t errlen);

// Detaches everything mounted on the rootfs (the failure paths after mount_rootfs).
void unmount_rootfs(const char *rootfs);

#endif
