#include "rootfs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

// mount(8)'s flag options; anything else goes to the filesystem as data.
static const struct {
  const char *name;
  bool clear;
  unsigned long flag;
} FLAG_OPTIONS[] = {
    {"ro", false, MS_RDONLY},           {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},       {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},         {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},       {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},     {"remount", false, MS_REMOUNT},
    {"noatime", false, MS_NOATIME},     {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME}, {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},   {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME}, {"nostrictatime", true, MS_STRICTATIME},
    {"bind", false, MS_BIND},           {"rbind", false, MS_BIND | MS_REC},
    {"defaults", false, 0},
};

static const struct {
  const char *name;
  unsigned long flag;
} PROPAGATION_OPTIONS[] = {
    {"private", MS_PRIVATE},         {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE},               {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE},   {"runbindable", MS_UNBINDABLE | MS_REC},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct parsed_options {
  unsigned long flags;
  unsigned long propagation;
  char *data; // the rest, comma-joined; owned
};

static int parse_options_text(const char *text, struct parsed_options *out) {
  size_t len = strlen(text);
  out->flags = 0;
  out->propagation = 0;
  out->data = calloc(len + 1, 1);
  char *copy = strdup(text);
  if (out->data == NULL || copy == NULL) {
    free(out->data);
    free(copy);
    return -1;
  }
  char *save = NULL;
  for (char *opt = strtok_r(copy, ",", &save); opt != NULL; opt = strtok_r(NULL, ",", &save)) {
    bool known = false;
    for (size_t i = 0; i < COUNT(FLAG_OPTIONS) && !known; i++) {
      if (strcmp(opt, FLAG_OPTIONS[i].name) != 0) continue;
      if (FLAG_OPTIONS[i].clear) out->flags &= ~FLAG_OPTIONS[i].flag;
      else out->flags |= FLAG_OPTIONS[i].flag;
      known = true;
    }
    for (size_t i = 0; i < COUNT(PROPAGATION_OPTIONS) && !known; i++) {
      if (strcmp(opt, PROPAGATION_OPTIONS[i].name) != 0) continue;
      out->propagation |= PROPAGATION_OPTIONS[i].flag;
      known = true;
    }
    if (known) continue;
    if (out->data[0] != '\0') strcat(out->data, ",");
    strcat(out->data, opt);
  }
  free(copy);
  return 0;
}

int parse_rootfs_mount(char *spec, struct rootfs_mount *out, char *err, size_t errlen) {
  char *type = spec;
  char *source = strchr(type, '\t');
  char *options = source ? strchr(source + 1, '\t') : NULL;
  if (options == NULL || strchr(options + 1, '\t') != NULL) {
    snprintf(err, errlen, "--rootfs-mount wants TYPE<tab>SOURCE<tab>OPTIONS");
    return -1;
  }
  *source++ = '\0';
  *options++ = '\0';
  if (type[0] == '\0' && source[0] == '\0') {
    snprintf(err, errlen, "--rootfs-mount has neither type nor source");
    return -1;
  }
  *out = (struct rootfs_mount){.type = type, .source = source, .options = options};
  return 0;
}

static int mount_one(const char *where, const struct rootfs_mount *m, char *err, size_t errlen) {
  struct parsed_options o;
  if (parse_options_text(m->options, &o) < 0) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  int rc = 0;
  const char *source = m->source[0] != '\0' ? m->source : m->type;
  if (o.flags & MS_BIND) {
    // A bind mount takes its other flags only through a remount.
    rc = mount(source, where, NULL, o.flags & (MS_BIND | MS_REC), NULL);
    unsigned long rest = o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
    if (rc == 0 && rest != 0) rc = mount(NULL, where, NULL, MS_REMOUNT | MS_BIND | rest, NULL);
  } else {
    rc = mount(source, where, m->type, o.flags, o.data[0] != '\0' ? o.data : NULL);
  }
  if (rc == 0 && o.propagation != 0) rc = mount(NULL, where, NULL, o.propagation, NULL);
  if (rc < 0) snprintf(err, errlen, "mounting the root filesystem (%s %s on %s): %s", m->type, source, where, strerror(errno));
  free(o.data);
  return rc;
}

void unmount_rootfs(const char *rootfs) {
  // Everything stacked on it, the last mounted first; a detach never waits for a busy mount.
  for (int guard = 0; guard < MAX_ROOTFS_MOUNTS * 2; guard++) {
    if (umount2(rootfs, MNT_DETACH) < 0) break;
  }
}

int mount_rootfs(const char *rootfs, const struct rootfs_mount *mounts, size_t count, char *err, size_t errlen) {
  if (mkdir(rootfs, 0755) < 0 && errno != EEXIST) {
    snprintf(err, errlen, "rootfs directory %s: %s", rootfs, strerror(errno));
    return -1;
  }
  for (size_t i = 0; i < count; i++) {
    if (mount_one(rootfs, &mounts[i], err, errlen) < 0) {
      unmount_rootfs(rootfs);
      return -1;
    }
  }
  return 0;
}
