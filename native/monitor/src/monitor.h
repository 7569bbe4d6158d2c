// The monitor proper: runs the runtime, then serves the container until it exits.
#ifndef BERTH_MONITOR_MONITOR_H
#define BERTH_MONITOR_MONITOR_H

#include "options.h"

// Runs with SIGCHLD blocked and readable on signal_fd. Returns the process exit status.
int monitor_run(const struct options *opts, int sync_fd, int signal_fd);

#endif
