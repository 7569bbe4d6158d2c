#!/usr/bin/env bash
# Makes a busybox root filesystem tarball from Debian's busybox-static: the static binary, its
# applet links, /etc/passwd and /etc/group. Usage: make-busybox-rootfs.sh OUT.tar
set -euo pipefail
out=${1:?usage: make-busybox-rootfs.sh OUT.tar}
busybox=/bin/busybox
if [[ $(dpkg-query -W -f '${Status}' busybox-static 2>/dev/null) != *installed* ]]; then
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >/dev/null
fi
rootfs=$(mktemp -d)
chmod 755 "$rootfs"
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,root,home/berth,var/tmp}
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
chmod 700 "$rootfs/root"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
  [[ $applet == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
done
cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
berth:x:1000:1000:berth:/home/berth:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
berth:x:1000:
nogroup:x:65534:
GROUP
chown -R 1000:1000 "$rootfs/home/berth"
# Deterministic: fixed order, owners and times.
tar --sort=name --mtime='2024-01-01 00:00:00Z' --numeric-owner -C "$rootfs" -cf "$out" .
