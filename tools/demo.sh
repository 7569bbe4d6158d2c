#!/usr/bin/env bash
# `npm run demo`: set up, start a stack, import a busybox image and show an isolated container.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
root=${BERTH_DEMO_ROOT:-/var/lib/berth}
berth() { bin/berth --host "unix://$sock" "$@"; }
bin/berth system up --root "$root"
if [[ $root == /var/lib/berth ]]; then sock=/run/berth/berthd.sock; else sock=$root/run/berthd.sock; fi
tarball=$(mktemp --suffix=.tar)
trap 'rm -f "$tarball"' EXIT
bash tools/make-busybox-rootfs.sh "$tarball"
berth import "$tarball" berth-demo/busybox:latest
berth images
echo
echo "+ berth run --rm --hostname demo berth-demo/busybox sh -c '...'"
berth run --rm --hostname demo berth-demo/busybox sh -c '
  echo "hostname:        $(hostname)"
  echo "pid 1:           $(cat /proc/1/comm) (the container'"'"'s own command)"
  echo "processes:       $(ps -o pid= | wc -l) visible"
  grep -E "^(CapEff|Seccomp):" /proc/self/status | sed "s/\t/ /"
  echo "network:         $(ls /sys/class/net | tr "\n" " ")"
  echo "/proc/keys:      $(wc -c < /proc/keys) bytes (masked)"
  echo "host files:      $(ls /work 2>&1 || true)"'
echo
echo "The stack is still running at $root: bin/berth --host unix://$sock ps -a"
echo "Stop it with: bin/berth system down --root $root"
