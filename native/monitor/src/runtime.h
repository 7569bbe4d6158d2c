// Runs the OCI runtime (runc create / runc exec --detach) with stdio the monitor owns.
#ifndef BERTH_MONITOR_RUNTIME_H
#define BERTH_MONITOR_RUNTIME_H

#include "options.h"

#include <stddef.h>

// The monitor's ends of the container's stdio; -1 where there is none.
struct container_io {
  int stdin_fd;   // write end of the stdin pipe (non-tty with --stdin)
  int stdout_fd;  // read end of the stdout pipe
  int stderr_fd;  // read end of the stderr pipe
  int console_fd; // pty master (tty): stdout, stdin and resizes all go through it
};

// Runs the runtime to completion. On success returns 0 with the container process's pid and
// its stdio; on failure returns -1 with the runtime's error message, already escaped as the body
// of a JSON string, in message.
int run_runtime(const struct options *opts, struct container_io *io, int *pid, char *message, size_t message_len);

#endif
