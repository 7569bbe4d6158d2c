#!/usr/bin/env bash
# `npm run demo`: set up, start a stack (with its Hub), import a busybox image, push it to the Hub,
# remove it locally, then `berth run` pulls it back from the Hub and runs an isolated container.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
root=${BERTH_DEMO_ROOT:-/var/lib/berth}
berth() { bin/berth --host "unix://$sock" "$@"; }
bin/berth system up --root "$root"
if [[ $root == /var/lib/berth ]]; then sock=/run/berth/berthd.sock; else sock=$root/run/berthd.sock; fi

work=$(mktemp -d /tmp/berth-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT

# The stack's own Hub, with an account for the demo; the login is kept in the demo's scratch
# directory rather than ~/.berth.
hub=$(bin/berth system status --root "$root" | awk '$1 == "hub" { print $4 }')
echo "The stack's Hub is serving on $hub"
export BERTH_CONFIG=$work/config
password=$(node -e 'process.stdout.write(require("crypto").randomBytes(16).toString("hex"))')
printf '%s' "$password" | bin/berth hub user add --root "$root" --password-stdin demo 2>/dev/null ||
  printf '%s' "$password" | bin/berth hub user passwd --root "$root" --password-stdin demo
echo "+ berth login -u demo --password-stdin $hub"
printf '%s' "$password" | berth login -u demo --password-stdin "$hub"
image=$hub/demo/busybox

bash tools/make-busybox-rootfs.sh "$work/busybox.tar"
echo "+ berth import busybox.tar berth-demo/busybox && berth tag berth-demo/busybox $image"
berth import "$work/busybox.tar" berth-demo/busybox:latest
berth tag berth-demo/busybox "$image"
echo
echo "+ berth push $image"
berth push "$image"
echo
echo "+ berth rmi berth-demo/busybox $image"
berth rmi berth-demo/busybox "$image"
echo
echo "+ berth run --rm --hostname demo $image sh -c '...'"
berth run --rm --hostname demo "$image" sh -c '
  echo "hostname:        $(hostname)"
  echo "pid 1:           $(cat /proc/1/comm) (the container'"'"'s own command)"
  echo "processes:       $(ps -o pid= | wc -l) visible"
  grep -E "^(CapEff|Seccomp):" /proc/self/status | sed "s/\t/ /"
  echo "network:         $(ls /sys/class/net | tr "\n" " ")"
  echo "/proc/keys:      $(wc -c < /proc/keys) bytes (masked)"
  echo "host files:      $(ls /work 2>&1 || true)"'
echo
berth images
echo
echo "The stack is still running at $root: bin/berth --host unix://$sock ps -a"
echo "Stop it with: bin/berth system down --root $root"
