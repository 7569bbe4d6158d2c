#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  OPT_ID = 1,
  OPT_RUNTIME,
  OPT_RUNTIME_ROOT,
  OPT_BUNDLE,
  OPT_EXEC_PROCESS,
  OPT_LOG,
  OPT_EXIT_FILE,
  OPT_SOCKET,
  OPT_PID_FILE,
  OPT_MONITOR_PID_FILE,
  OPT_OOM_SOURCE,
  OPT_TTY,
  OPT_STDIN,
  OPT_START,
  OPT_HOLD_OUTPUT,
  OPT_ROOTFS_MOUNT,
  OPT_WAIT_CONFIG,
  OPT_SYNC_FD,
};

static const struct option long_options[] = {
    {"id", required_argument, NULL, OPT_ID},
    {"runtime", required_argument, NULL, OPT_RUNTIME},
    {"runtime-root", required_argument, NULL, OPT_RUNTIME_ROOT},
    {"bundle", required_argument, NULL, OPT_BUNDLE},
    {"exec-process", required_argument, NULL, OPT_EXEC_PROCESS},
    {"log", required_argument, NULL, OPT_LOG},
    {"exit-file", required_argument, NULL, OPT_EXIT_FILE},
    {"socket", required_argument, NULL, OPT_SOCKET},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"monitor-pid-file", required_argument, NULL, OPT_MONITOR_PID_FILE},
    {"oom-source", required_argument, NULL, OPT_OOM_SOURCE},
    {"tty", no_argument, NULL, OPT_TTY},
    {"stdin", no_argument, NULL, OPT_STDIN},
    {"start", no_argument, NULL, OPT_START},
    {"hold-output", no_argument, NULL, OPT_HOLD_OUTPUT},
    {"rootfs-mount", required_argument, NULL, OPT_ROOTFS_MOUNT},
    {"wait-config", no_argument, NULL, OPT_WAIT_CONFIG},
    {"sync-fd", required_argument, NULL, OPT_SYNC_FD},
    {NULL, 0, NULL, 0},
};

// The monitor changes to / so it never pins a directory: every path must be absolute.
static int need_absolute(const char *name, const char *value, char *err, size_t errlen) {
  if (value == NULL) {
    snprintf(err, errlen, "--%s is required", name);
    return -1;
  }
  if (value[0] != '/') {
    snprintf(err, errlen, "--%s must be an absolute path: %s", name, value);
    return -1;
  }
  return 0;
}

int parse_options(int argc, char **argv, struct options *o, char *err, size_t errlen) {
  memset(o, 0, sizeof *o);
  o->sync_fd = 3;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_ID: o->id = optarg; break;
    case OPT_RUNTIME: o->runtime = optarg; break;
    case OPT_RUNTIME_ROOT: o->runtime_root = optarg; break;
    case OPT_BUNDLE: o->bundle = optarg; break;
    case OPT_EXEC_PROCESS: o->exec_process = optarg; break;
    case OPT_LOG: o->log_path = optarg; break;
    case OPT_EXIT_FILE: o->exit_file = optarg; break;
    case OPT_SOCKET: o->socket_path = optarg; break;
    case OPT_PID_FILE: o->pid_file = optarg; break;
    case OPT_MONITOR_PID_FILE: o->monitor_pid_file = optarg; break;
    case OPT_OOM_SOURCE: o->oom_source = optarg; break;
    case OPT_TTY: o->tty = true; break;
    case OPT_STDIN: o->open_stdin = true; break;
    case OPT_START: o->start = true; break;
    case OPT_HOLD_OUTPUT: o->hold_output = true; break;
    case OPT_ROOTFS_MOUNT:
      if (o->rootfs_mount_count == MAX_ROOTFS_MOUNTS) {
        snprintf(err, errlen, "more than %d --rootfs-mount", MAX_ROOTFS_MOUNTS);
        return -1;
      }
      if (parse_rootfs_mount(optarg, &o->rootfs_mounts[o->rootfs_mount_count], err, errlen) < 0) return -1;
      o->rootfs_mount_count++;
      break;
    case OPT_WAIT_CONFIG: o->wait_config = true; break;
    case OPT_SYNC_FD: {
      char *end;
      long fd = strtol(optarg, &end, 10);
      if (*optarg == '\0' || *end != '\0' || fd < 0 || fd > 1 << 20) {
        snprintf(err, errlen, "--sync-fd: not a file descriptor: %s", optarg);
        return -1;
      }
      o->sync_fd = (int)fd;
      break;
    }
    default:
      snprintf(err, errlen, "unknown or incomplete option: %s", argv[optind - 1]);
      return -1;
    }
  }
  if (optind < argc) {
    snprintf(err, errlen, "unexpected argument: %s", argv[optind]);
    return -1;
  }
  if (o->id == NULL || o->id[0] == '\0') {
    snprintf(err, errlen, "--id is required");
    return -1;
  }
  if ((o->bundle == NULL) == (o->exec_process == NULL)) {
    snprintf(err, errlen, "exactly one of --bundle and --exec-process is required");
    return -1;
  }
  if ((o->start || o->rootfs_mount_count > 0 || o->wait_config) && o->bundle == NULL) {
    snprintf(err, errlen, "--start, --rootfs-mount and --wait-config need --bundle");
    return -1;
  }
  if (need_absolute("runtime", o->runtime, err, errlen) < 0 ||
      need_absolute("runtime-root", o->runtime_root, err, errlen) < 0 ||
      (o->bundle && need_absolute("bundle", o->bundle, err, errlen) < 0) ||
      (o->exec_process && need_absolute("exec-process", o->exec_process, err, errlen) < 0) ||
      need_absolute("log", o->log_path, err, errlen) < 0 ||
      need_absolute("exit-file", o->exit_file, err, errlen) < 0 ||
      need_absolute("socket", o->socket_path, err, errlen) < 0 ||
      need_absolute("pid-file", o->pid_file, err, errlen) < 0 ||
      need_absolute("monitor-pid-file", o->monitor_pid_file, err, errlen) < 0 ||
      (o->oom_source && need_absolute("oom-source", o->oom_source, err, errlen) < 0))
    return -1;
  return 0;
}
