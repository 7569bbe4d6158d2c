#!/usr/bin/env bash
# `npm test`: set up the machine, check generated code, lint, then the unit and integration suites.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/gen-proto.sh --check
npm run -s lint
# Tests are transpiled by swc, which does not type-check: check the whole tree, tests included.
npx tsc -p tsconfig.json --noEmit
if command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml is valid"
else
  echo "SKIPPED: docker-compose.yml validation (Debian's docker-compose is not installed)"
fi
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
npx jest --selectProjects unit --ci --json --outputFile="$results/unit.json" || status=$?
npx jest --selectProjects integration --ci --runInBand --json --outputFile="$results/integration.json" || status=$?
node -e '
  let passed = 0, failed = 0, skipped = 0;
  for (const file of process.argv.slice(1)) {
    try {
      const r = require(file);
      passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests;
    } catch { failed += 1; }
  }
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results/unit.json" "$results/integration.json"
exit "$status"
