#include "standby.h"

#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Reads exactly len bytes. Returns len, 0 at the end of the fd before any byte, or -1.
static ssize_t read_exactly(int fd, void *buf, size_t len) {
  size_t have = 0;
  while (have < len) {
    ssize_t n = read_retry(fd, (char *)buf + have, len - have);
    if (n < 0) return -1;
    if (n == 0) {
      if (have == 0) return 0;
      errno = EPIPE;
      return -1;
    }
    have += (size_t)n;
  }
  return (ssize_t)have;
}

int read_standby_args(int fd, const char *program, int *argc, char ***argv, char *err, size_t errlen) {
  unsigned char header[4];
  ssize_t got = read_exactly(fd, header, sizeof header);
  if (got == 0) return 0;
  if (got < 0) {
    snprintf(err, errlen, "standby: reading the command line: %s", strerror(errno));
    return -1;
  }
  uint32_t size = (uint32_t)header[0] | (uint32_t)header[1] << 8 | (uint32_t)header[2] << 16 | (uint32_t)header[3] << 24;
  if (size == 0 || size > STANDBY_MAX_ARGS_BYTES) {
    snprintf(err, errlen, "standby: a command line of %u bytes", (unsigned)size);
    return -1;
  }
  char *bytes = malloc(size);
  ssize_t body = bytes == NULL ? -1 : read_exactly(fd, bytes, size);
  // The end of the fd right after the count leaves errno as it was: say what happened.
  if (body == 0) errno = EPIPE;
  if (body != (ssize_t)size) {
    snprintf(err, errlen, "standby: reading the command line: %s", bytes == NULL ? "out of memory" : strerror(errno));
    free(bytes);
    return -1;
  }
  if (bytes[size - 1] != '\0') {
    snprintf(err, errlen, "standby: the command line does not end with NUL");
    free(bytes);
    return -1;
  }
  int count = 1;
  for (uint32_t i = 0; i < size; i++)
    if (bytes[i] == '\0') count++;
  char **args = calloc((size_t)count + 1, sizeof *args);
  if (args == NULL) {
    snprintf(err, errlen, "standby: out of memory");
    free(bytes);
    return -1;
  }
  args[0] = (char *)program;
  int n = 1;
  for (uint32_t start = 0; start < size; start += (uint32_t)strlen(bytes + start) + 1) args[n++] = bytes + start;
  *argc = count;
  *argv = args;
  return 1;
}
