#include "monitor.h"

#include "clients.h"
#include "crilog.h"
#include "exitfile.h"
#include "rootfs.h"
#include "runtime.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define READ_CHUNK (32 * 1024)
// After the container exits, output still buffered in pipes is read for at most this long (a
// process that escaped the container could otherwise keep a pipe busy forever).
#define DRAIN_LIMIT_MS 2000
// A pty pushes the last output to the master asynchronously; give it this long to arrive.
#define TTY_SETTLE_MS 50
// Attached clients get this long to take the last output and the exit frame.
#define FINAL_FLUSH_MS 5000
// With --hold-output, output waits this long at most for the first attach client.
#define HOLD_LIMIT_MS 5000

struct monitor {
  const struct options *opts;
  int log_fd;
  int listen_fd;
  int signal_fd;
  struct container_io io;
  int container_pid;
  bool exited;
  int exit_status;
  struct timespec finished;
  // --hold-output: until the first client connects (or hold_until passes) no output is read and
  // an exit is not announced, so that client gets everything from the first byte.
  bool holding;
  long hold_until;
  bool stdin_blocked;
  struct client *clients;
  size_t client_count;
  struct pollfd *pfds;
  size_t pfd_cap;
  // --rootfs-mount: what the monitor mounted, and unmounts once the container has exited.
  char rootfs[PATH_MAX];
};

static char read_buf[READ_CHUNK];

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static void sync_write(int *sync_fd, const char *line) {
  if (*sync_fd < 0) return;
  write_all(*sync_fd, line, strlen(line)); // the caller may be gone: EPIPE is fine
  close_fd(sync_fd);
}

// How long the caller may take to write config.json between "mounted" and "go".
#define CONFIG_WAIT_MS 60000

// The caller's answer to {"mounted":true}: a "go" line, or its end (it gave up).
static bool wait_for_go(int sync_fd) {
  char reply[8];
  size_t got = 0;
  while (got < sizeof reply) {
    struct pollfd pfd = {.fd = sync_fd, .events = POLLIN};
    int ready = poll(&pfd, 1, CONFIG_WAIT_MS);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    ssize_t n = read_retry(sync_fd, reply + got, sizeof reply - got);
    if (n <= 0) return false;
    got += (size_t)n;
    if (memchr(reply, '\n', got) != NULL) return got == 3 && memcmp(reply, "go\n", 3) == 0;
  }
  return false;
}

// Mounts the rootfs (and, with --wait-config, lets the caller write config.json against it).
static int prepare_rootfs(const struct options *o, int sync_fd, char *rootfs, size_t rootfs_len, char *raw, size_t raw_len) {
  if (snprintf(rootfs, rootfs_len, "%s/rootfs", o->bundle) >= (int)rootfs_len) {
    snprintf(raw, raw_len, "bundle path too long: %s", o->bundle);
    return -1;
  }
  if (mount_rootfs(rootfs, o->rootfs_mounts, o->rootfs_mount_count, raw, raw_len) < 0) return -1;
  if (!o->wait_config) return 0;
  static const char mounted[] = "{\"mounted\":true}\n";
  if (sync_fd < 0 || write_all(sync_fd, mounted, sizeof mounted - 1) < 0 || !wait_for_go(sync_fd)) {
    if (o->rootfs_mount_count > 0) unmount_rootfs(rootfs); // only what the monitor mounted
    snprintf(raw, raw_len, "the caller gave up before the runtime ran");
    return -1;
  }
  return 0;
}

static int listen_attach(const char *path, char *message, size_t len) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) {
    snprintf(message, len, "attach socket path too long (max %zu bytes)", sizeof addr.sun_path - 1);
    return -1;
  }
  memcpy(addr.sun_path, path, strlen(path) + 1);
  unlink(path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) goto failed;
  // Only root (the shim) may attach: the socket is created 0600, never briefly wider.
  mode_t old = umask(0177);
  int bound = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  umask(old);
  if (bound < 0 || listen(fd, 64) < 0) goto failed;
  return fd;
failed:
  snprintf(message, len, "attach socket %s: %s", path, strerror(errno));
  if (fd >= 0) close(fd);
  return -1;
}

/* ---- clients ---- */

static void drop_client(struct monitor *m, struct client *c) {
  for (struct client **p = &m->clients; *p; p = &(*p)->next) {
    if (*p == c) {
      *p = c->next;
      break;
    }
  }
  client_free(c);
  m->client_count--;
}

static void accept_clients(struct monitor *m) {
  for (;;) {
    int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return; // EAGAIN, or out of fds: try again on the next wake-up
    }
    struct client *c = client_new(fd);
    if (c == NULL) {
      close(fd);
      return;
    }
    c->next = m->clients;
    m->clients = c;
    m->client_count++;
  }
}

static void broadcast(struct monitor *m, uint8_t type, const void *data, size_t len) {
  for (struct client *c = m->clients, *next; c; c = next) {
    next = c->next;
    if (!client_send_frame(c, type, data, len)) drop_client(m, c);
  }
}

/* ---- stdin ---- */

static int stdin_target(const struct monitor *m) {
  if (!m->opts->open_stdin) return -1;
  return m->opts->tty ? m->io.console_fd : m->io.stdin_fd;
}

static size_t stdin_write(void *ctx, const unsigned char *data, size_t len) {
  struct monitor *m = ctx;
  int fd = stdin_target(m);
  size_t done = 0;
  while (fd >= 0 && done < len) {
    ssize_t n = write(fd, data + done, len - done);
    if (n >= 0) {
      done += (size_t)n;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return done;
    // The container closed its stdin: nothing more will ever be read.
    if (!m->opts->tty) close_fd(&m->io.stdin_fd);
    break;
  }
  return len;
}

static void stdin_close(void *ctx) {
  struct monitor *m = ctx;
  // A tty has no end of input of its own; the user sends ^D through the data stream.
  if (!m->opts->tty) close_fd(&m->io.stdin_fd);
}

static void stdin_resize(void *ctx, uint16_t rows, uint16_t cols) {
  struct monitor *m = ctx;
  if (m->io.console_fd < 0) return;
  struct winsize ws = {.ws_row = rows, .ws_col = cols};
  ioctl(m->io.console_fd, TIOCSWINSZ, &ws);
}

// Returns false when the client was dropped.
static bool process_input(struct monitor *m, struct client *c) {
  const struct stdin_sink sink = {stdin_write, stdin_close, stdin_resize, m};
  switch (client_process_input(c, &sink)) {
  case INPUT_BLOCKED: m->stdin_blocked = true; return true;
  case INPUT_PROTOCOL_ERROR: drop_client(m, c); return false;
  case INPUT_DONE: return true;
  }
  return true;
}

/* ---- container output ---- */

// Reads one chunk into the log and to the clients. Returns false when the stream ended.
static bool pump_output(struct monitor *m, int *fd, const char *stream, uint8_t frame) {
  ssize_t n = read_retry(*fd, read_buf, sizeof read_buf);
  if (n > 0) {
    crilog_write(m->log_fd, stream, read_buf, (size_t)n);
    broadcast(m, frame, read_buf, (size_t)n);
    return true;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
  close_fd(fd); // EOF, or EIO from a pty master whose slave side is gone
  return false;
}

struct output {
  int *fd;
  const char *stream;
  uint8_t frame;
};

static size_t outputs(struct monitor *m, struct output out[3]) {
  size_t n = 0;
  if (m->io.console_fd >= 0) out[n++] = (struct output){&m->io.console_fd, "stdout", FRAME_STDOUT};
  if (m->io.stdout_fd >= 0) out[n++] = (struct output){&m->io.stdout_fd, "stdout", FRAME_STDOUT};
  if (m->io.stderr_fd >= 0) out[n++] = (struct output){&m->io.stderr_fd, "stderr", FRAME_STDERR};
  return n;
}

// Everything the container wrote before it exited is already in the pipes (or, for a pty,
// arrives within moments): read it all before the exit is announced.
static void drain_output(struct monitor *m) {
  long deadline = now_ms() + DRAIN_LIMIT_MS;
  for (;;) {
    struct output out[3];
    size_t n = outputs(m, out);
    if (n == 0 || now_ms() > deadline) return;
    struct pollfd pfds[3];
    for (size_t i = 0; i < n; i++) pfds[i] = (struct pollfd){.fd = *out[i].fd, .events = POLLIN};
    int ready = poll(pfds, n, m->opts->tty ? TTY_SETTLE_MS : 0);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;
    for (size_t i = 0; i < n; i++) {
      if (pfds[i].revents) pump_output(m, out[i].fd, out[i].stream, out[i].frame);
    }
  }
}

/* ---- exit ---- */

static void reap_children(struct monitor *m) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return;
    // Other orphans that land on us as subreaper are reaped and forgotten.
    if (pid == m->container_pid && !m->exited) {
      m->exited = true;
      m->exit_status = status;
      clock_gettime(CLOCK_REALTIME, &m->finished);
    }
  }
}

static void flush_clients_until(struct monitor *m, long deadline) {
  while (m->clients != NULL && now_ms() < deadline) {
    size_t n = 0;
    for (struct client *c = m->clients; c; c = c->next) {
      if (c->out_len > 0) m->pfds[n++] = (struct pollfd){.fd = c->fd, .events = POLLOUT};
    }
    if (n == 0) return;
    int ready = poll(m->pfds, n, (int)(deadline - now_ms()));
    if (ready < 0 && errno != EINTR) return;
    for (struct client *c = m->clients, *next; c; c = next) {
      next = c->next;
      if (c->out_len > 0 && !client_flush(c)) drop_client(m, c);
    }
  }
}

static int finish(struct monitor *m) {
  drain_output(m);
  // Socket gone first, then the exit file: whoever sees the exit file also finds the socket gone.
  unlink(m->opts->socket_path);
  struct exit_record record = exit_record_from_status(m->exit_status, &m->finished, m->opts->oom_source);
  write_exit_file(m->opts->exit_file, &record);
  accept_clients(m); // connections that raced the unlink get the exit frame too
  // The frame carries the whole record, so that a client needs no read of the exit file.
  char line[EXIT_RECORD_MAX];
  int len = format_exit_record(&record, line, sizeof line);
  broadcast(m, FRAME_EXIT, line, (size_t)len);
  // An exited container's rootfs is unmounted at once, as docker does, by the monitor that
  // mounted it (the caller's release then has no umount to spawn). After the exit is out: an
  // unmount waits for an RCU grace period, a millisecond or more.
  if (m->rootfs[0] != '\0') unmount_rootfs(m->rootfs);
  if (m->pfd_cap < m->client_count) {
    free(m->pfds);
    m->pfds = calloc(m->client_count, sizeof *m->pfds);
    m->pfd_cap = m->pfds ? m->client_count : 0;
  }
  if (m->pfds != NULL) flush_clients_until(m, now_ms() + FINAL_FLUSH_MS);
  while (m->clients) drop_client(m, m->clients);
  return 0;
}

/* ---- the loop ---- */

static bool ensure_pfds(struct monitor *m, size_t need) {
  if (need <= m->pfd_cap) return true;
  size_t cap = need + 8;
  struct pollfd *grown = realloc(m->pfds, cap * sizeof *grown);
  if (grown == NULL) return false;
  m->pfds = grown;
  m->pfd_cap = cap;
  return true;
}

// Whether some client is too far behind to be sent more now; drops those that stalled for good.
// Sets *wake_ms to when the next stalled client would be dropped.
static bool clients_behind(struct monitor *m, int *wake_ms) {
  bool behind = false;
  long now = now_ms();
  *wake_ms = -1;
  for (struct client *c = m->clients, *next; c; c = next) {
    next = c->next;
    if (c->out_len < CLIENT_HIGH_WATER) {
      c->behind_since_ms = 0;
      continue;
    }
    if (c->behind_since_ms == 0) c->behind_since_ms = now;
    long left = c->behind_since_ms + CLIENT_STALL_LIMIT_MS - now;
    if (left <= 0) {
      drop_client(m, c);
      continue;
    }
    behind = true;
    if (*wake_ms < 0 || left < *wake_ms) *wake_ms = (int)left;
  }
  return behind;
}

static void serve(struct monitor *m) {
  enum { SIGNALS, LISTEN, STDIN, FIXED };
  for (;;) {
    reap_children(m);
    if (m->holding && (m->client_count > 0 || now_ms() >= m->hold_until)) m->holding = false;
    if (m->exited && !m->holding) return;

    int timeout_ms;
    bool hold_output = clients_behind(m, &timeout_ms) || m->holding;
    if (m->holding) {
      int left = (int)(m->hold_until - now_ms());
      if (left < 0) left = 0;
      if (timeout_ms < 0 || left < timeout_ms) timeout_ms = left;
    }
    struct output out[3];
    size_t n_out = hold_output ? 0 : outputs(m, out);
    if (!ensure_pfds(m, FIXED + n_out + m->client_count)) {
      poll(NULL, 0, 100); // out of memory: wait for it to pass
      continue;
    }
    struct pollfd *pfds = m->pfds;
    pfds[SIGNALS] = (struct pollfd){.fd = m->signal_fd, .events = POLLIN};
    pfds[LISTEN] = (struct pollfd){.fd = m->listen_fd, .events = POLLIN};
    pfds[STDIN] = (struct pollfd){.fd = m->stdin_blocked ? stdin_target(m) : -1, .events = POLLOUT};
    size_t n = FIXED;
    for (size_t i = 0; i < n_out; i++) pfds[n++] = (struct pollfd){.fd = *out[i].fd, .events = POLLIN};
    for (struct client *c = m->clients; c; c = c->next) {
      short events = 0;
      if (!m->stdin_blocked && c->in_len < CLIENT_IN_CAP) events |= POLLIN;
      if (c->out_len > 0) events |= POLLOUT;
      c->poll_slot = (int)n;
      pfds[n++] = (struct pollfd){.fd = c->fd, .events = events};
    }

    if (poll(pfds, n, timeout_ms) <= 0) continue; // EINTR, or time to check for stalled clients

    if (pfds[SIGNALS].revents) {
      struct signalfd_siginfo info;
      while (read(m->signal_fd, &info, sizeof info) > 0) {
      }
    }
    // Output first: it must never wait for a client.
    for (size_t i = 0; i < n_out; i++) {
      if (pfds[FIXED + i].revents) pump_output(m, out[i].fd, out[i].stream, out[i].frame);
    }
    for (struct client *c = m->clients, *next; c; c = next) {
      next = c->next;
      short revents = c->poll_slot < 0 ? 0 : pfds[c->poll_slot].revents;
      c->poll_slot = -1;
      if (revents & POLLOUT && !client_flush(c)) {
        drop_client(m, c);
        continue;
      }
      if (revents & (POLLIN | POLLHUP | POLLERR)) {
        bool open = client_fill(c);
        // Input already read is still delivered when the client went away right after.
        if (process_input(m, c) && !open) drop_client(m, c);
      }
    }
    if (m->stdin_blocked && (pfds[STDIN].revents || stdin_target(m) < 0)) {
      m->stdin_blocked = false;
      for (struct client *c = m->clients, *next; c && !m->stdin_blocked; c = next) {
        next = c->next;
        if (c->in_len > 0) process_input(m, c);
      }
    }
    if (pfds[LISTEN].revents) accept_clients(m);
  }
}

int monitor_run(const struct options *opts, int sync_fd, int signal_fd) {
  struct monitor m = {.opts = opts, .log_fd = -1, .listen_fd = -1, .signal_fd = signal_fd};
  char message[2048], raw[1024];
  char line[sizeof message + 64];

  m.log_fd = open(opts->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (m.log_fd < 0) {
    snprintf(raw, sizeof raw, "container log %s: %s", opts->log_path, strerror(errno));
    json_escape(message, sizeof message, raw, strlen(raw));
    goto failed;
  }
  m.listen_fd = listen_attach(opts->socket_path, raw, sizeof raw);
  if (m.listen_fd < 0) {
    json_escape(message, sizeof message, raw, strlen(raw));
    goto failed;
  }
  if (opts->rootfs_mount_count > 0 || opts->wait_config) {
    if (prepare_rootfs(opts, sync_fd, m.rootfs, sizeof m.rootfs, raw, sizeof raw) < 0) {
      json_escape(message, sizeof message, raw, strlen(raw));
      goto failed;
    }
    if (opts->rootfs_mount_count == 0) m.rootfs[0] = '\0'; // nothing of ours to unmount
  }
  if (run_runtime(opts, &m.io, &m.container_pid, message, sizeof message) < 0) {
    if (m.rootfs[0] != '\0') unmount_rootfs(m.rootfs);
    goto failed;
  }

  m.holding = opts->hold_output;
  m.hold_until = now_ms() + HOLD_LIMIT_MS;
  snprintf(line, sizeof line, "{\"pid\":%d,\"monitor_pid\":%d}\n", m.container_pid, (int)getpid());
  sync_write(&sync_fd, line);
  serve(&m);
  return finish(&m);

failed:
  // Clean up before reporting: once the caller hears of the failure, nothing of this monitor is
  // left to find.
  if (m.listen_fd >= 0) unlink(opts->socket_path);
  unlink(opts->monitor_pid_file);
  snprintf(line, sizeof line, "{\"pid\":-1,\"message\":\"%s\"}\n", message);
  sync_write(&sync_fd, line);
  return 1;
}
