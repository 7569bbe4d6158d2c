#!/usr/bin/env bash
# `npm run demo`: set up, start a stack and a Hub, import a busybox image, push it to the Hub,
# remove it locally, then `berth run` pulls it back from the Hub and runs an isolated container.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
root=${BERTH_DEMO_ROOT:-/var/lib/berth}
berth() { bin/berth --host "unix://$sock" "$@"; }
bin/berth system up --root "$root"
if [[ $root == /var/lib/berth ]]; then sock=/run/berth/berthd.sock; else sock=$root/run/berthd.sock; fi

work=$(mktemp -d /tmp/berth-demo-XXXXXX)
hub_pid=
cleanup() {
  if [[ -n $hub_pid ]]; then kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A Hub for the demo on a free loopback port, in development mode (anonymous pushes, accepted on
# loopback only), stopped when the demo ends.
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
hub=127.0.0.1:$port
node apps/registry/dist/main.js --addr "$hub" --root "$work/hub" --allow-anonymous-push 2>"$work/hub.log" &
hub_pid=$!
node -e '
  const deadline = Date.now() + 10000;
  (async function wait() {
    try { await fetch(`http://${process.argv[1]}/v2/`); return; } catch {}
    if (Date.now() > deadline) { console.error("the Hub did not start"); process.exit(1); }
    setTimeout(wait, 100);
  })();
' "$hub"
echo "A Hub for this demo is serving on $hub"
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
