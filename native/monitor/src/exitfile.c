#include "exitfile.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

// Both cgroup v1 memory.oom_control and v2 memory.events have a line "oom_kill N".
static bool oom_killed(const char *source) {
  if (source == NULL) return false;
  char text[1024];
  if (read_small_file(source, text, sizeof text) <= 0) return false;
  for (char *line = text; line != NULL; line = strchr(line, '\n')) {
    if (*line == '\n') line++;
    if (strncmp(line, "oom_kill ", 9) == 0) return strtoll(line + 9, NULL, 10) > 0;
  }
  return false;
}

struct exit_record exit_record_from_status(int status, const struct timespec *finished, const char *oom_source) {
  struct exit_record r = {.finished = *finished};
  if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    r.exit_code = 128 + r.signal;
  } else {
    r.exit_code = WEXITSTATUS(status);
  }
  r.oom_killed = oom_killed(oom_source);
  return r;
}

int format_exit_record(const struct exit_record *r, char *line, size_t size) {
  char finished[RFC3339_MAX];
  format_rfc3339nano(&r->finished, finished);
  return snprintf(line, size, "{\"exit_code\":%d,\"oom_killed\":%s,\"finished_at\":\"%s\",\"signal\":%d}\n", r->exit_code,
                  r->oom_killed ? "true" : "false", finished, r->signal);
}

int write_exit_file(const char *path, const struct exit_record *r) {
  char line[EXIT_RECORD_MAX];
  int len = format_exit_record(r, line, sizeof line);
  return write_file_atomic(path, line, (size_t)len);
}
