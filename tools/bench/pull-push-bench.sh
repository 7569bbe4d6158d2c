#!/usr/bin/env bash
# Issue 4's benchmark (section 6), in one run on this machine:
#   - builds a ~180 MB image of three layers (busybox, 150 MB of random bytes, 25 MB of text)
#     and puts it in registry:2 (127.0.0.1:5001) with skopeo;
#   - pull: `docker pull` and `berth pull` of it, each after removing its own local copy;
#   - push: `docker push` and `berth push` of it to a fresh repository of a fresh registry:2
#     (its own root, a free loopback port), so every blob is really uploaded;
#   BENCH_RUNS rounds (default 5), alternating which goes first; prints medians and
#   berth/docker ratios (target <= 0.50), and the CPU seconds per pulled GB (compressed bytes):
#   the CLI's own user+sys plus what the services used, read from /proc before and after
#   (Berth's stack: daemon, image store, Redis, runtime shim; Docker: dockerd and containerd).
# Needs the peers (../shared/peers/setup.sh: docker, registry:2, skopeo). Not part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${BENCH_RUNS:-5}
peer=127.0.0.1:5001
curl -fsS "http://$peer/v2/" >/dev/null || { echo "registry:2 is not serving on $peer (../shared/peers/setup.sh)" >&2; exit 1; }
for tool in docker skopeo docker-registry; do command -v $tool >/dev/null || { echo "$tool is not installed (../shared/peers/setup.sh)" >&2; exit 1; }; done
docker info >/dev/null 2>&1 || { echo "docker's daemon is not running" >&2; exit 1; }
[[ -f apps/cli/dist/berth.js ]] || npm run build >/dev/null

work=$(mktemp -d /tmp/berth-pp-bench-XXXX)
# Berth's stack lives where an installed one does (/var/lib/berth), beside docker's /var/lib/docker,
# not in /tmp: on this ext4 without a journal a new inode is allocated past the recently deleted
# ones of its block group, and /tmp's churn (test runs, temp dirs) made unpacking there cost more
# (direct pulls: 0.64 s and 0.95 CPU-s under /tmp, 0.56 s and 0.79 CPU-s under /var/lib).
root=$(mktemp -d /var/lib/berth-pp-bench-XXXX)
export BERTH_HOST=unix://$root/run/berthd.sock
prefix=pp-bench-$(date +%s)
src=$peer/$prefix/img:v1
reg_pid=
stop_registry() {
  if [[ -n $reg_pid ]]; then kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true; fi
  reg_pid=
}
cleanup() {
  stop_registry
  docker rmi -f "$src" >/dev/null 2>&1 || true
  docker image ls --format '{{.Repository}}:{{.Tag}}' | grep "/$prefix/" | xargs -r docker rmi -f >/dev/null 2>&1 || true
  bin/berth system down --root "$root" >/dev/null 2>&1 || true
  node tools/bench/hub-bench-clean.js "$peer" "$prefix" >/dev/null 2>&1 || true
  rm -rf "$work" "$root"
}
trap cleanup EXIT

# A fresh registry:2 on a free loopback port, its storage under $1.
start_registry() {
  local port
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$1" "$port" >"$1.yml"
  docker-registry serve "$1.yml" >>"$work/push-registry.log" 2>&1 &
  reg_pid=$!
  target=127.0.0.1:$port
  for _ in $(seq 100); do curl -fsS -o /dev/null "http://$target/v2/" 2>/dev/null && return; sleep 0.05; done
  echo "the push registry did not start" >&2
  exit 1
}

echo "== building the test image in $work"
bin/berth system up --root "$root" >/dev/null
bash tools/make-busybox-rootfs.sh "$work/busybox.tar" >/dev/null 2>&1
bytes=$(node tools/bench/pull-push-image.js "$work/layout" "$work/busybox.tar")
skopeo copy -q --dest-tls-verify=false "oci:$work/layout:img" "docker://$src"
echo "   $src: 3 layers, $((bytes / 1000000)) MB compressed"

berth_pids=$(node -e 'for (const s of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))) if (s.pid) console.log(s.pid)' "$root/run/services.json" | tr '\n' ' ')
docker_pids="$(pidof dockerd) $(pidof containerd)"
cpu() { node tools/bench/cpu-seconds.js "$@"; }

# measure TOOL KIND CMD...: runs CMD, appends "wall cpu" to $work/TOOL-KIND, where cpu is the
# command's own user+sys plus what the tool's services used meanwhile.
measure() {
  local tool=$1 kind=$2 pids before after t
  shift 2
  pids=$([[ $tool == berth ]] && echo "$berth_pids" || echo "$docker_pids")
  before=$(cpu $pids)
  t=$({ TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>>"$work/commands.log"; } 2>&1) || { echo "$tool $kind failed:" >&2; tail -5 "$work/commands.log" >&2; exit 1; }
  after=$(cpu $pids)
  read -r wall user sys <<<"$t"
  echo "$wall $(echo "$user + $sys + $after - $before" | bc)" >>"$work/$tool-$kind"
}

pull_round() {
  if [[ $1 == docker ]]; then
    docker rmi -f "$src" >/dev/null 2>&1 || true
    measure docker pull docker pull "$src"
  else
    bin/berth rmi -f "$src" >/dev/null 2>&1 || true
    measure berth pull bin/berth pull "$src"
  fi
}

push_round() {
  start_registry "$work/push-$1-$2"
  local dest=$target/$prefix/pushed-$1-$2:v1
  if [[ $1 == docker ]]; then
    docker tag "$src" "$dest"
    measure docker push docker push "$dest"
    docker rmi "$dest" >/dev/null
  else
    bin/berth tag "$src" "$dest"
    measure berth push bin/berth push "$dest"
    bin/berth rmi "$dest" >/dev/null
  fi
  stop_registry
  rm -rf "$work/push-$1-$2"
}

echo "== $runs rounds of pull, then of push"
for r in $(seq "$runs"); do
  if ((r % 2)); then order=(docker berth); else order=(berth docker); fi
  for tool in "${order[@]}"; do pull_round "$tool"; done
done
# Both tools now hold the image as pulled; each pushes it to fresh registries.
for r in $(seq "$runs"); do
  if ((r % 2)); then order=(docker berth); else order=(berth docker); fi
  for tool in "${order[@]}"; do push_round "$tool" "$r"; done
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
col() { cut -d' ' -f"$1" "$work/$2"; }
echo
echo "== pull and push, docker vs berth ($(nproc) CPUs, median of $runs)"
printf '%-28s %10s %10s %14s\n' measure docker berth berth/docker
for kind in pull push; do
  d=$(col 1 docker-$kind | median)
  b=$(col 1 berth-$kind | median)
  printf '%-28s %10.2f %10.2f %14.2f\n' "$kind (s)" "$d" "$b" "$(echo "$b / $d" | bc -l)"
done
gb=$(echo "$bytes / 1000000000" | bc -l)
d=$(echo "$(col 2 docker-pull | median) / $gb" | bc -l)
b=$(echo "$(col 2 berth-pull | median) / $gb" | bc -l)
printf '%-28s %10.2f %10.2f %14.2f\n' "pull CPU s per GB" "$d" "$b" "$(echo "$b / $d" | bc -l)"
echo "(target: berth/docker <= 0.50 for pull and push; CPU counts the CLI and its services)"
