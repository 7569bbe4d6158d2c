#!/usr/bin/env bash
# Regenerates libs/proto/src/gen from proto/ with ts-proto. With --check, fails when the
# committed code differs from what proto/ generates (CI runs this).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc not found: run tools/setup.sh (Debian package protobuf-compiler)" >&2; exit 1; }
out=libs/proto/src/gen
target=$out
if [[ ${1:-} == --check ]]; then target=$(mktemp -d); trap 'rm -rf "$target"' EXIT; fi
rm -rf "${target:?}"/* 2>/dev/null || true
mkdir -p "$target"
mapfile -t files < <(cd proto && find . -name '*.proto' | sed 's|^\./||' | sort)
protoc \
  --plugin=protoc-gen-ts_proto=node_modules/.bin/protoc-gen-ts_proto \
  --ts_proto_out="$target" \
  --ts_proto_opt=outputServices=grpc-js,esModuleInterop=true,env=node,oneof=unions-value,forceLong=number,useOptionals=none,exportCommonSymbols=false,useExactTypes=false \
  -I proto "${files[@]}"
if [[ ${1:-} == --check ]]; then
  if ! diff -r "$out" "$target" >/dev/null; then
    echo "libs/proto/src/gen is out of date with proto/: run 'npm run proto' and commit" >&2
    diff -r "$out" "$target" | head -20 >&2
    exit 1
  fi
  echo "generated proto code is up to date"
fi
