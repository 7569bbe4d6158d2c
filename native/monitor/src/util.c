#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

ssize_t read_retry(int fd, void *buf, size_t len) {
  ssize_t n;
  do n = read(fd, buf, len);
  while (n < 0 && errno == EINTR);
  return n;
}

void format_rfc3339nano(const struct timespec *ts, char out[RFC3339_MAX]) {
  struct tm tm;
  gmtime_r(&ts->tv_sec, &tm);
  size_t n = strftime(out, RFC3339_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, RFC3339_MAX - n, ".%09ldZ", (long)ts->tv_nsec);
}

void now_rfc3339nano(char out[RFC3339_MAX]) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  format_rfc3339nano(&ts, out);
}

void json_escape(char *out, size_t cap, const char *in, size_t len) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)in[i];
    char esc[8];
    size_t n;
    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
      n = 2;
    } else if (c == '\n') {
      memcpy(esc, "\\n", 2);
      n = 2;
    } else if (c < 0x20) {
      n = (size_t)snprintf(esc, sizeof esc, "\\u%04x", c);
    } else {
      esc[0] = (char)c;
      n = 1;
    }
    if (o + n >= cap) break;
    memcpy(out + o, esc, n);
    o += n;
  }
  if (cap > 0) out[o < cap ? o : cap - 1] = '\0';
}

int write_file_atomic(const char *path, const char *data, size_t len) {
  char tmp[PATH_MAX];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    errno = ENAMETOOLONG;
    return -1;
  }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  if (write_all(fd, data, len) < 0) {
    int saved = errno;
    close(fd);
    unlink(tmp);
    errno = saved;
    return -1;
  }
  close(fd);
  if (rename(tmp, path) < 0) {
    int saved = errno;
    unlink(tmp);
    errno = saved;
    return -1;
  }
  return 0;
}

ssize_t read_small_file(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t have = 0;
  while (have + 1 < cap) {
    ssize_t n = read_retry(fd, buf + have, cap - 1 - have);
    if (n < 0) {
      close(fd);
      return -1;
    }
    if (n == 0) break;
    have += (size_t)n;
  }
  close(fd);
  buf[have] = '\0';
  return (ssize_t)have;
}

int set_cloexec(int fd) {
  int flags = fcntl(fd, F_GETFD);
  return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int set_nonblock(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}
