#!/usr/bin/env bash
# Issue 3's benchmark (section 7), in one run against registry:2 on 127.0.0.1:5001 and the Hub
# (apps/registry, built) on a free loopback port:
#   1. GET of a 157 MB blob: MB/s, best of BENCH_RUNS (default 3); target Hub/registry:2 >= 1.0.
#   2. `skopeo copy` of a ~180 MB, 6-layer image into the registry and back out to a dir, with 1
#      and with 8 concurrent clients (each its own repository): wall seconds, best of
#      BENCH_RUNS; target registry:2 time / Hub time >= 1.0.
# The Hub runs with --allow-anonymous-push, as registry:2 has no auth either. skopeo's blob-info
# cache is emptied before every push, or it would mount layers from earlier runs instead of
# uploading them. Not part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${BENCH_RUNS:-3}
peer=127.0.0.1:5001
curl -fsS "http://$peer/v2/" >/dev/null || { echo "registry:2 is not serving on $peer (../shared/peers/setup.sh)" >&2; exit 1; }
[[ -f apps/registry/dist/main.js ]] || { echo "apps/registry is not built (npm run build)" >&2; exit 1; }
command -v skopeo >/dev/null || { echo "skopeo is not installed" >&2; exit 1; }

work=$(mktemp -d /tmp/berth-hub-bench-XXXX)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
hub=127.0.0.1:$port
tag=bench-$(date +%s)
node apps/registry/dist/main.js --addr "$hub" --root "$work/hub" --allow-anonymous-push 2>"$work/hub.log" &
hub_pid=$!
cleanup() {
  kill "$hub_pid" 2>/dev/null || true
  # registry:2 keeps blob bytes until its own offline GC; drop what this run tagged there.
  node tools/bench/hub-bench-clean.js "$peer" "$tag" "${blob_digest:-}" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://$hub/v2/" && break; sleep 0.1; done

echo "== building test data in $work"
head -c 157000000 /dev/urandom >"$work/blob"
blob_digest=sha256:$(sha256sum "$work/blob" | cut -d' ' -f1)
# A 6-layer OCI image: each layer a gzipped tar of 30 MB of random bytes.
node tools/bench/hub-bench-image.js "$work/layout" 6 30000000 >/dev/null

best() { sort -g | head -1; }
bestdesc() { sort -gr | head -1; }

declare -A result
for reg in hub peer; do
  addr=$([[ $reg == hub ]] && echo "$hub" || echo "$peer")
  # POST then PUT: registry:2 does not take a monolithic POST.
  location=$(curl -fsS -X POST -o /dev/null -w '%header{location}' "http://$addr/v2/$tag/blob/blobs/uploads/")
  [[ $location == http* ]] || location=http://$addr$location
  [[ $location == *\?* ]] && sep='&' || sep='?'
  curl -fsS -X PUT --data-binary @"$work/blob" -H 'Content-Type: application/octet-stream' "$location${sep}digest=$blob_digest" -o /dev/null
  speeds=()
  for _ in $(seq "$runs"); do
    speeds+=("$(curl -fsS -o /dev/null -w '%{speed_download}' "http://$addr/v2/$tag/blob/blobs/$blob_digest")")
  done
  result[$reg,get]=$(printf '%s\n' "${speeds[@]}" | bestdesc)

  for clients in 1 8; do
    in_times=()
    out_times=()
    for r in $(seq "$runs"); do
      rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb
      start=$(date +%s.%N)
      pids=()
      for c in $(seq "$clients"); do
        skopeo copy -q --dest-tls-verify=false "oci:$work/layout:img" "docker://$addr/$tag/c$clients-r$r-$c:img" &
        pids+=($!)
      done
      for pid in "${pids[@]}"; do wait "$pid"; done
      in_times+=("$(echo "$(date +%s.%N) - $start" | bc)")
      start=$(date +%s.%N)
      pids=()
      for c in $(seq "$clients"); do
        skopeo copy -q --src-tls-verify=false "docker://$addr/$tag/c$clients-r$r-$c:img" "dir:$work/out-$reg-$c" &
        pids+=($!)
      done
      for pid in "${pids[@]}"; do wait "$pid"; done
      out_times+=("$(echo "$(date +%s.%N) - $start" | bc)")
      rm -rf "$work"/out-*
    done
    result[$reg,in$clients]=$(printf '%s\n' "${in_times[@]}" | best)
    result[$reg,out$clients]=$(printf '%s\n' "${out_times[@]}" | best)
  done
done

ratio() { echo "scale=2; $1 / $2" | bc; }
echo
echo "== Hub vs registry:2 ($(nproc) CPUs, best of $runs)"
printf '%-34s %12s %12s %8s\n' measure hub registry:2 ratio
printf '%-34s %12.1f %12.1f %8s\n' "157 MB blob GET (MB/s)" "$(echo "${result[hub,get]} / 1000000" | bc -l)" "$(echo "${result[peer,get]} / 1000000" | bc -l)" "$(ratio "${result[hub,get]}" "${result[peer,get]}")"
for clients in 1 8; do
  for dir in in out; do
    printf '%-34s %12.2f %12.2f %8s\n' "skopeo copy $dir, $clients client(s) (s)" "${result[hub,$dir$clients]}" "${result[peer,$dir$clients]}" "$(ratio "${result[peer,$dir$clients]}" "${result[hub,$dir$clients]}")"
  done
done
echo "(ratio >= 1.00: the Hub is at least as fast; for GET it is Hub/registry:2 throughput, for copies registry:2 time / Hub time)"
grep -q 'registry error' "$work/hub.log" && { echo "the Hub logged errors:" >&2; cat "$work/hub.log" >&2; exit 1; }
exit 0
