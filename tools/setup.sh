#!/usr/bin/env bash
# Brings a fresh Debian 12 machine with Node.js to where Berth builds, runs and tests:
# Debian packages, npm dependencies, the TypeScript build and the native monitor. Idempotent and
# quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# command:package pairs; the command tells whether the package is there.
packages=(
  redis-server:redis-server
  runc:runc
  busybox:busybox-static
  protoc:protobuf-compiler
  setfattr:attr
  gcc:gcc
  make:make
  ps:procps
  mount:mount
  ip:iproute2
  iptables:iptables
  zstd:zstd
  xz:xz-utils
  bzip2:bzip2
  chromium:chromium
)
need=()
for pair in "${packages[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
# The default seccomp profile comes from Debian's containers-common.
[[ -f /usr/share/containers/seccomp.json ]] || need+=(golang-github-containers-common)
# Static linking of the monitor needs glibc's static archive.
[[ -f /usr/lib/x86_64-linux-gnu/libc.a || -f /usr/lib/aarch64-linux-gnu/libc.a ]] || need+=(libc6-dev)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages (${need[*]}); run as root to install them" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

if [[ ! -d node_modules/.bin || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund >/dev/null
fi

echo "setup: building"
npx tsc -b tsconfig.build.json
# bin/berth's one-file bundle and code cache (it falls back to the compiled tree without them).
node apps/cli/bundle.js
make -s -C native/monitor
