// A monitor started ahead of need (--standby): it takes its command line from the sync fd.
#ifndef BERTH_MONITOR_STANDBY_H
#define BERTH_MONITOR_STANDBY_H

#include <stddef.h>

// The largest command line a standby takes (a rootfs mount's lower directories make it long).
#define STANDBY_MAX_ARGS_BYTES (1 << 20)

// Reads one command line from fd: a 4-byte little-endian byte count, then that many bytes of
// NUL-terminated arguments (see PROTOCOL.md). On success returns 1 and sets *argc and *argv
// (argv[0] is program, the array NULL-terminated, allocated for the process's life). Returns 0
// when the fd ends before the count (the caller went away without needing this monitor), and
// -1 with err set for anything malformed.
int read_standby_args(int fd, const char *program, int *argc, char ***argv, char *err, size_t errlen);

#endif
