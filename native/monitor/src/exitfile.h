// The exit file: one JSON line, written atomically once the container's process has exited.
//   {"exit_code":N,"oom_killed":false,"finished_at":"<RFC3339Nano>","signal":S}
#ifndef BERTH_MONITOR_EXITFILE_H
#define BERTH_MONITOR_EXITFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct exit_record {
  int exit_code; // the exit status, or 128 + signal
  int signal;    // 0 when the process exited by itself
  bool oom_killed;
  struct timespec finished;
};

// Builds the record from a waitpid status; oom_source (a cgroup's memory.oom_control or
// memory.events, may be NULL) tells whether the kernel's OOM killer struck the container.
struct exit_record exit_record_from_status(int status, const struct timespec *finished, const char *oom_source);

// The record as the exit file's one line (with its newline); returns its length.
#define EXIT_RECORD_MAX 256
int format_exit_record(const struct exit_record *record, char *line, size_t size);

int write_exit_file(const char *path, const struct exit_record *record);

#endif
