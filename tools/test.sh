#!/usr/bin/env bash
# `npm test`: set up the machine, check generated code, lint, then the unit and integration suites.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/gen-proto.sh --check
npm run -s lint
if command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml is valid"
else
  echo "SKIPPED: docker-compose.yml validation (Debian's docker-compose is not installed)"
fi
npx jest --selectProjects unit --ci
npx jest --selectProjects integration --ci --runInBand
