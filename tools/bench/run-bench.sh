#!/usr/bin/env bash
# Issue 2's benchmark: container start-to-exit latency of `berth run --rm IMG true` against
# docker and podman (--network none), in one run, with ratios; then the per-container monitor's
# resident memory with 20 containers running, and the whole stack's idle resident memory.
# Needs the peers from ../shared/peers/setup.sh (run first when present) and hyperfine.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${BENCH_RUNS:-20}
[[ -f ../shared/peers/setup.sh ]] && bash ../shared/peers/setup.sh >/dev/null
command -v hyperfine >/dev/null || { apt-get update -q >/dev/null; apt-get install -y -q hyperfine >/dev/null; }
bash tools/setup.sh >/dev/null

root=$(mktemp -d /tmp/berth-bench-XXXX)
export BERTH_HOST=unix://$root/run/berthd.sock
cleanup() {
  bin/berth rm -f $(bin/berth ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  bin/berth system down --root "$root" >/dev/null 2>&1 || true
  rm -rf "$root"
}
trap cleanup EXIT
bin/berth system up --root "$root" >/dev/null
bash tools/make-busybox-rootfs.sh "$root/busybox.tar"
bin/berth import "$root/busybox.tar" bench/busybox >/dev/null

commands=("bin/berth run --rm bench/busybox true")
names=(berth)
if docker info >/dev/null 2>&1; then commands+=("docker run --rm --network none busybox:peer true"); names+=(docker); fi
if command -v podman >/dev/null && podman image exists localhost/busybox:peer; then
  commands+=("podman run --rm --network none localhost/busybox:peer true"); names+=(podman)
fi
# In rounds, the engines' order reversed every other round: the machine's speed drifts over a
# run, and one long block per engine would hand that drift to whichever ran in the slow part.
rounds=${BENCH_ROUNDS:-5}
per_round=$(( (runs + rounds - 1) / rounds ))
reversed=()
for (( i=${#commands[@]}-1; i>=0; i-- )); do reversed+=("${commands[i]}"); done
hyperfine -N --warmup 3 --runs 1 "${commands[@]}" >/dev/null
for round in $(seq "$rounds"); do
  if (( round % 2 )); then order=("${commands[@]}"); else order=("${reversed[@]}"); fi
  hyperfine -N --runs "$per_round" --export-json "$root/start-$round.json" "${order[@]}" >/dev/null
done
args=()
for i in "${!commands[@]}"; do args+=("${names[i]}=${commands[i]}"); done
node tools/bench/report-start.js "$root" "${args[@]}"

# Memory: the idle stack, then 20 running containers' monitors.
sleep 2
node tools/bench/report-memory.js "$root" stack
for _ in $(seq 20); do bin/berth run -d bench/busybox sleep 600 >/dev/null; done
node tools/bench/report-memory.js "$root" monitors
