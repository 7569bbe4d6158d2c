#include "crilog.h"

#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

static void write_record(int fd, const char *prefix, size_t prefix_len, const char *tag, const char *data, size_t len) {
  struct iovec iov[4] = {
      {.iov_base = (void *)prefix, .iov_len = prefix_len},
      {.iov_base = (void *)tag, .iov_len = 2},
      {.iov_base = (void *)data, .iov_len = len},
      {.iov_base = "\n", .iov_len = 1},
  };
  // One writev per record keeps records whole for concurrent readers; a short write (disk full)
  // just loses the tail, which the log format tolerates.
  ssize_t n;
  do n = writev(fd, iov, 4);
  while (n < 0 && errno == EINTR);
}

void crilog_write(int log_fd, const char *stream, const char *data, size_t len) {
  if (log_fd < 0 || len == 0) return;
  char now[RFC3339_MAX];
  now_rfc3339nano(now);
  char prefix[RFC3339_MAX + 16];
  size_t prefix_len = strlen(now);
  memcpy(prefix, now, prefix_len);
  prefix[prefix_len++] = ' ';
  size_t stream_len = strlen(stream);
  memcpy(prefix + prefix_len, stream, stream_len);
  prefix_len += stream_len;
  prefix[prefix_len++] = ' ';

  while (len > 0) {
    const char *nl = memchr(data, '\n', len < CRILOG_MAX_LINE ? len : CRILOG_MAX_LINE);
    if (nl != NULL) {
      size_t line = (size_t)(nl - data);
      write_record(log_fd, prefix, prefix_len, "F ", data, line);
      data += line + 1;
      len -= line + 1;
    } else {
      size_t piece = len < CRILOG_MAX_LINE ? len : CRILOG_MAX_LINE;
      write_record(log_fd, prefix, prefix_len, "P ", data, piece);
      data += piece;
      len -= piece;
    }
  }
}
