#include "clients.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

// Buffers larger than this are released once drained so an idle monitor stays small.
#define CLIENT_KEEP_CAP (64 * 1024)

struct client *client_new(int fd) {
  struct client *c = calloc(1, sizeof *c);
  if (c != NULL) {
    c->fd = fd;
    c->poll_slot = -1;
  }
  return c;
}

void client_free(struct client *c) {
  if (c == NULL) return;
  if (c->fd >= 0) close(c->fd);
  free(c->out);
  free(c);
}

static bool append_out(struct client *c, const unsigned char *data, size_t len) {
  if (len == 0) return true;
  if (c->out_len + len > CLIENT_MAX_BACKLOG) return false;
  if (c->out_len + len > c->out_cap) {
    size_t cap = c->out_cap ? c->out_cap : 4096;
    while (cap < c->out_len + len) cap *= 2;
    if (cap > CLIENT_MAX_BACKLOG) cap = CLIENT_MAX_BACKLOG;
    unsigned char *grown = realloc(c->out, cap);
    if (grown == NULL) return false;
    c->out = grown;
    c->out_cap = cap;
  }
  memcpy(c->out + c->out_len, data, len);
  c->out_len += len;
  return true;
}

// Sends without blocking; returns bytes sent, or -1 when the client is gone.
static ssize_t send_nonblocking(int fd, struct iovec *iov, int iovcnt) {
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
  for (;;) {
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return -1;
  }
}

bool client_send_frame(struct client *c, uint8_t type, const void *data, size_t len) {
  unsigned char header[FRAME_HEADER] = {type, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                                        (unsigned char)(len >> 8), (unsigned char)len};
  size_t sent = 0;
  if (c->out_len == 0) {
    struct iovec iov[2] = {{.iov_base = header, .iov_len = FRAME_HEADER}, {.iov_base = (void *)data, .iov_len = len}};
    ssize_t n = send_nonblocking(c->fd, iov, 2);
    if (n < 0) return false;
    sent = (size_t)n;
  }
  if (sent < FRAME_HEADER) {
    if (!append_out(c, header + sent, FRAME_HEADER - sent)) return false;
    sent = FRAME_HEADER;
  }
  return append_out(c, (const unsigned char *)data + (sent - FRAME_HEADER), len - (sent - FRAME_HEADER));
}

bool client_flush(struct client *c) {
  if (c->out_len == 0) return true;
  struct iovec iov = {.iov_base = c->out, .iov_len = c->out_len};
  ssize_t n = send_nonblocking(c->fd, &iov, 1);
  if (n < 0) return false;
  memmove(c->out, c->out + n, c->out_len - (size_t)n);
  c->out_len -= (size_t)n;
  if (c->out_len == 0 && c->out_cap > CLIENT_KEEP_CAP) {
    free(c->out);
    c->out = NULL;
    c->out_cap = 0;
  }
  return true;
}

bool client_fill(struct client *c) {
  if (c->in_len == CLIENT_IN_CAP) return true;
  for (;;) {
    ssize_t n = recv(c->fd, c->in + c->in_len, CLIENT_IN_CAP - c->in_len, MSG_DONTWAIT);
    if (n > 0) {
      c->in_len += (size_t)n;
      return true;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

enum input_result client_process_input(struct client *c, const struct stdin_sink *sink) {
  size_t pos = 0;
  enum input_result result = INPUT_DONE;
  while (pos < c->in_len) {
    size_t avail = c->in_len - pos;
    if (c->in_stdin_frame) {
      size_t want = avail < c->stdin_left ? avail : c->stdin_left;
      size_t taken = sink->write(sink->ctx, c->in + pos, want);
      pos += taken;
      c->stdin_left -= (uint32_t)taken;
      if (c->stdin_left == 0) c->in_stdin_frame = false;
      if (taken < want) {
        result = INPUT_BLOCKED;
        break;
      }
      continue;
    }
    if (avail < FRAME_HEADER) break;
    uint8_t type = c->in[pos];
    uint32_t len = be32(c->in + pos + 1);
    if (type == FRAME_STDIN) {
      pos += FRAME_HEADER;
      c->in_stdin_frame = len > 0;
      c->stdin_left = len;
      continue;
    }
    if ((type != FRAME_CLOSE_STDIN && type != FRAME_RESIZE) || len > CONTROL_FRAME_MAX ||
        (type == FRAME_RESIZE && len != 4)) {
      result = INPUT_PROTOCOL_ERROR;
      break;
    }
    if (avail < FRAME_HEADER + len) break;
    const unsigned char *payload = c->in + pos + FRAME_HEADER;
    if (type == FRAME_CLOSE_STDIN) sink->close(sink->ctx);
    else sink->resize(sink->ctx, (uint16_t)(payload[0] << 8 | payload[1]), (uint16_t)(payload[2] << 8 | payload[3]));
    pos += FRAME_HEADER + len;
  }
  memmove(c->in, c->in + pos, c->in_len - pos);
  c->in_len -= pos;
  return result;
}
