// Small helpers shared by the monitor's parts: robust I/O, timestamps, JSON strings, files.
#ifndef BERTH_MONITOR_UTIL_H
#define BERTH_MONITOR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

// "2006-01-02T15:04:05.000000000Z" plus NUL, with room to spare.
#define RFC3339_MAX 48

// Writes all of buf to a blocking fd, retrying on EINTR. Returns 0, or -1 with errno set.
int write_all(int fd, const void *buf, size_t len);

// Reads once, retrying on EINTR.
ssize_t read_retry(int fd, void *buf, size_t len);

// The time as RFC 3339 with nanoseconds, UTC.
void format_rfc3339nano(const struct timespec *ts, char out[RFC3339_MAX]);
void now_rfc3339nano(char out[RFC3339_MAX]);

// Escapes in[0..len) as the body of a JSON string (no quotes) into out, always NUL-terminated;
// stops early rather than overflow.
void json_escape(char *out, size_t cap, const char *in, size_t len);

// Writes a whole file atomically (a temporary file in the same directory, renamed over it), so
// that a reader never sees part of it. Not fsynced: the monitor's files (its pid, the exit
// status) describe processes that a machine crash ends anyway, and they must outlive the loss of
// a process, not of the machine (docker's exit codes after a host crash are unknown too); two
// fsyncs cost ~1 ms on the way to every container's start and exit. Returns 0, or -1 with errno.
int write_file_atomic(const char *path, const char *data, size_t len);

// Reads up to cap-1 bytes of a file and NUL-terminates them. Returns the length, or -1.
ssize_t read_small_file(const char *path, char *buf, size_t cap);

// Marks an fd close-on-exec / non-blocking.
int set_cloexec(int fd);
int set_nonblock(int fd);

#endif
