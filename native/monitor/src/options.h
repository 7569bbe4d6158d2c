// The monitor's command line.
#ifndef BERTH_MONITOR_OPTIONS_H
#define BERTH_MONITOR_OPTIONS_H

#include "rootfs.h"

#include <stdbool.h>
#include <stddef.h>

struct options {
  const char *id;
  const char *runtime;
  const char *runtime_root;
  const char *bundle;       // create mode
  const char *exec_process; // exec mode
  const char *log_path;
  const char *exit_file;
  const char *socket_path;
  const char *pid_file;
  const char *monitor_pid_file;
  const char *oom_source; // optional
  bool tty;
  bool open_stdin;
  bool start;       // create mode: `runc run --detach` instead of `runc create`
  bool hold_output; // leave output unread until the first attach client (see PROTOCOL.md)
  // create mode: mounted onto <bundle>/rootfs before the runtime runs
  struct rootfs_mount rootfs_mounts[MAX_ROOTFS_MOUNTS];
  size_t rootfs_mount_count;
  bool wait_config; // after the mounts, report and wait for the caller's "go" (see PROTOCOL.md)
  int sync_fd;
};

// Fills opts from argv. On error returns -1 with a human-readable reason in err.
int parse_options(int argc, char **argv, struct options *opts, char *err, size_t errlen);

#endif
