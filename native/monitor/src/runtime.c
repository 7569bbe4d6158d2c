#include "runtime.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

struct child_fds {
  int stdio[3];
};

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static void fail(char *message, size_t len, const char *what) {
  char raw[512];
  snprintf(raw, sizeof raw, "%s: %s", what, strerror(errno));
  json_escape(message, len, raw, strlen(raw));
}

// A listening socket in a fresh private directory, for the runtime to hand us the pty master.
static int console_listen(char dir[PATH_MAX], char path[PATH_MAX]) {
  snprintf(dir, PATH_MAX, "/tmp/berth-console-XXXXXX");
  if (mkdtemp(dir) == NULL) return -1;
  snprintf(path, PATH_MAX, "%s/console.sock", dir);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 1) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// The runtime connected and sent the pty master with SCM_RIGHTS before it exited; the connection
// and the fd wait in the socket's queue.
static int console_receive(int listen_fd) {
  int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0) return -1;
  char byte[256];
  struct iovec iov = {.iov_base = byte, .iov_len = sizeof byte};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  ssize_t n;
  do n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  close(conn);
  if (n < 0) return -1;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) {
    errno = EPROTO;
    return -1;
  }
  int fd;
  memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
  return fd;
}

// Pulls the message of the last error record out of runc's JSON log. The message is copied
// still escaped: it is the body of a JSON string and goes into one as it is.
static bool last_runtime_error(const char *log_path, char *message, size_t len) {
  static char log[64 * 1024];
  int fd = open(log_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  // Only the tail matters: the fatal error is the last record.
  off_t size = lseek(fd, 0, SEEK_END);
  off_t start = size > (off_t)sizeof log - 1 ? size - ((off_t)sizeof log - 1) : 0;
  ssize_t n = pread(fd, log, sizeof log - 1, start);
  close(fd);
  if (n <= 0) return false;
  log[n] = '\0';
  const char *found = NULL;
  for (char *line = log; line != NULL && *line;) {
    char *next = strchr(line, '\n');
    if (next) *next = '\0';
    if (strstr(line, "\"level\":\"error\"") || strstr(line, "\"level\":\"fatal\"")) found = line;
    line = next ? next + 1 : NULL;
  }
  if (found == NULL) return false;
  const char *msg = strstr(found, "\"msg\":\"");
  if (msg == NULL) return false;
  msg += 7;
  size_t o = 0;
  for (const char *p = msg; *p && *p != '"' && o + 2 < len; p++) {
    if (*p == '\\' && p[1]) message[o++] = *p++;
    message[o++] = *p;
  }
  message[o] = '\0';
  return o > 0;
}

// Whatever the runtime printed to stderr, for when its log says nothing.
static bool stderr_message(int fd, char *message, size_t len) {
  char raw[1024];
  if (fd < 0 || set_nonblock(fd) < 0) return false;
  ssize_t n = read_retry(fd, raw, sizeof raw - 1);
  if (n <= 0) return false;
  while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == ' ')) n--;
  json_escape(message, len, raw, (size_t)n);
  return n > 0;
}

static void exec_runtime(const struct options *o, int stdio[3], const char *log_path, const char *console_path,
                         int report_fd) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  // Ignored signals stay ignored across exec; the container must start with defaults.
  signal(SIGPIPE, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  for (int i = 0; i < 3; i++) {
    if (dup2(stdio[i], i) < 0) goto failed;
  }
  const char *argv[24];
  int a = 0;
  argv[a++] = o->runtime;
  argv[a++] = "--root";
  argv[a++] = o->runtime_root;
  argv[a++] = "--log";
  argv[a++] = log_path;
  argv[a++] = "--log-format";
  argv[a++] = "json";
  if (o->bundle && o->start) {
    argv[a++] = "run";
    argv[a++] = "--detach";
    argv[a++] = "--bundle";
    argv[a++] = o->bundle;
  } else if (o->bundle) {
    argv[a++] = "create";
    argv[a++] = "--bundle";
    argv[a++] = o->bundle;
  } else {
    argv[a++] = "exec";
    argv[a++] = "--detach";
    argv[a++] = "--process";
    argv[a++] = o->exec_process;
  }
  argv[a++] = "--pid-file";
  argv[a++] = o->pid_file;
  if (console_path) {
    argv[a++] = "--console-socket";
    argv[a++] = console_path;
  }
  argv[a++] = o->id;
  argv[a] = NULL;
  execv(o->runtime, (char *const *)argv);
failed:;
  int err = errno;
  write_all(report_fd, &err, sizeof err);
  _exit(127);
}

int run_runtime(const struct options *o, struct container_io *io, int *pid, char *message, size_t message_len) {
  *io = (struct container_io){-1, -1, -1, -1};
  struct child_fds child = {{-1, -1, -1}};
  int console_fd = -1, report[2] = {-1, -1};
  char console_dir[PATH_MAX] = "", console_path[PATH_MAX] = "", log_path[PATH_MAX];
  int result = -1;

  snprintf(log_path, sizeof log_path, "%s.runtime-log.json", o->pid_file);
  unlink(log_path);
  unlink(o->pid_file); // never read a stale pid

  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) {
    fail(message, message_len, "open /dev/null");
    goto out;
  }
  if (o->tty) {
    console_fd = console_listen(console_dir, console_path);
    if (console_fd < 0) {
      fail(message, message_len, "console socket");
      goto out;
    }
    for (int i = 0; i < 3; i++) child.stdio[i] = fcntl(null_fd, F_DUPFD_CLOEXEC, 3);
  } else {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
      fail(message, message_len, "pipe");
      goto out;
    }
    io->stdout_fd = out[0];
    child.stdio[1] = out[1];
    io->stderr_fd = err[0];
    child.stdio[2] = err[1];
    if (o->open_stdin) {
      int in[2];
      if (pipe2(in, O_CLOEXEC) < 0) {
        fail(message, message_len, "pipe");
        goto out;
      }
      child.stdio[0] = in[0];
      io->stdin_fd = in[1];
    } else {
      child.stdio[0] = fcntl(null_fd, F_DUPFD_CLOEXEC, 3);
    }
  }
  if (pipe2(report, O_CLOEXEC) < 0) {
    fail(message, message_len, "pipe");
    goto out;
  }

  pid_t runtime = fork();
  if (runtime < 0) {
    fail(message, message_len, "fork");
    goto out;
  }
  if (runtime == 0) exec_runtime(o, child.stdio, log_path, o->tty ? console_path : NULL, report[1]);

  for (int i = 0; i < 3; i++) close_fd(&child.stdio[i]);
  close_fd(&report[1]);
  int exec_errno = 0;
  bool exec_failed = read_retry(report[0], &exec_errno, sizeof exec_errno) == (ssize_t)sizeof exec_errno;
  int status;
  while (waitpid(runtime, &status, 0) < 0 && errno == EINTR) {
  }
  if (exec_failed) {
    char raw[PATH_MAX + 64];
    snprintf(raw, sizeof raw, "exec %s: %s", o->runtime, strerror(exec_errno));
    json_escape(message, message_len, raw, strlen(raw));
    goto out;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (!last_runtime_error(log_path, message, message_len) && !stderr_message(io->stderr_fd, message, message_len)) {
      char raw[128];
      if (WIFEXITED(status)) snprintf(raw, sizeof raw, "runtime exited with status %d", WEXITSTATUS(status));
      else snprintf(raw, sizeof raw, "runtime killed by signal %d", WTERMSIG(status));
      json_escape(message, message_len, raw, strlen(raw));
    }
    goto out;
  }

  char pid_text[32];
  char *end;
  long container_pid = 0;
  if (read_small_file(o->pid_file, pid_text, sizeof pid_text) > 0) container_pid = strtol(pid_text, &end, 10);
  if (container_pid <= 0 || container_pid > INT_MAX) {
    errno = ENOENT;
    fail(message, message_len, "runtime succeeded but wrote no pid file");
    goto out;
  }
  if (o->tty) {
    io->console_fd = console_receive(console_fd);
    if (io->console_fd < 0) {
      fail(message, message_len, "receive the console from the runtime");
      goto out;
    }
  }
  *pid = (int)container_pid;
  result = 0;

out:
  for (int i = 0; i < 3; i++) close_fd(&child.stdio[i]);
  close_fd(&report[0]);
  close_fd(&report[1]);
  close_fd(&console_fd);
  close_fd(&null_fd);
  if (console_path[0]) unlink(console_path);
  if (console_dir[0]) rmdir(console_dir);
  unlink(log_path);
  if (result < 0) {
    close_fd(&io->stdin_fd);
    close_fd(&io->stdout_fd);
    close_fd(&io->stderr_fd);
    close_fd(&io->console_fd);
  } else {
    int fds[4] = {io->stdin_fd, io->stdout_fd, io->stderr_fd, io->console_fd};
    for (int i = 0; i < 4; i++)
      if (fds[i] >= 0) set_nonblock(fds[i]);
  }
  return result;
}
