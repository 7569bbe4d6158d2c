// berth-monitor: watches one container process (or one exec'd process) for its whole life, so
// that its stdio, log and exit status survive the loss of every Berth service. See PROTOCOL.md.
#include "monitor.h"
#include "options.h"
#include "standby.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void report_early_failure(int sync_fd, const char *reason) {
  char escaped[1024], line[1100];
  json_escape(escaped, sizeof escaped, reason, strlen(reason));
  int len = snprintf(line, sizeof line, "{\"pid\":-1,\"message\":\"%s\"}\n", escaped);
  if (sync_fd >= 0) write_all(sync_fd, line, (size_t)len);
}

// Only the sync fd may survive from the caller: anything else inherited would leak into the
// container or keep the caller's pipes open.
static void close_inherited_fds(int keep) {
  if (keep > 3) close_range(3, (unsigned)keep - 1, 0);
  close_range(keep >= 3 ? (unsigned)keep + 1 : 3, ~0U, 0);
}

static int write_pid_file(const char *path) {
  char text[32];
  int len = snprintf(text, sizeof text, "%d", (int)getpid());
  return write_file_atomic(path, text, (size_t)len);
}

int main(int argc, char **argv) {
  struct options opts;
  char err[512];
  // Started ahead of need: the command line comes on the sync fd (3) when the caller has a
  // container for it (the end of the fd first means it never will: the caller went away). The
  // monitor then execs itself with it, so that it is the same process as one started with it
  // (its command line in ps names its container and stack); the sync fd stays open across.
  if (argc == 2 && strcmp(argv[1], "--standby") == 0) {
    int standby_argc;
    char **standby_argv;
    int got = read_standby_args(3, argv[0], &standby_argc, &standby_argv, err, sizeof err);
    if (got == 0) return 0;
    if (got > 0) {
      // By its path (its name in ps and top is the file's), else by the running image.
      const char *self = argv[0][0] == '/' ? argv[0] : "/proc/self/exe";
      execv(self, standby_argv);
      snprintf(err, sizeof err, "standby: exec %s: %s", self, strerror(errno));
    }
    fprintf(stderr, "berth-monitor: %s\n", err);
    report_early_failure(3, err);
    return 2;
  }
  int parsed = parse_options(argc, argv, &opts, err, sizeof err);
  int sync_fd = opts.sync_fd >= 3 && fcntl(opts.sync_fd, F_GETFD) >= 0 ? opts.sync_fd : -1;
  if (parsed < 0) {
    fprintf(stderr, "berth-monitor: %s\n", err);
    report_early_failure(sync_fd, err);
    return 2;
  }
  if (sync_fd >= 0) set_cloexec(sync_fd);
  close_inherited_fds(sync_fd);

  // The caller reaps the original process at once; the monitor lives on detached from it.
  pid_t child = fork();
  if (child < 0) {
    snprintf(err, sizeof err, "fork: %s", strerror(errno));
    report_early_failure(sync_fd, err);
    return 1;
  }
  if (child > 0) _exit(0);

  setsid();
  if (chdir("/") < 0) {
    // Not fatal: every path is absolute.
  }
  if (write_pid_file(opts.monitor_pid_file) < 0) {
    snprintf(err, sizeof err, "monitor pid file %s: %s", opts.monitor_pid_file, strerror(errno));
    report_early_failure(sync_fd, err);
    return 1;
  }
  // The container's process becomes our child once the runtime exits, so we can reap it.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int null_fd = open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    for (int fd = 0; fd < 3; fd++) dup2(null_fd, fd);
    if (null_fd > 2) close(null_fd);
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int signal_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0) {
    snprintf(err, sizeof err, "signalfd: %s", strerror(errno));
    report_early_failure(sync_fd, err);
    return 1;
  }
  return monitor_run(&opts, sync_fd, signal_fd);
}
