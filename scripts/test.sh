#!/usr/bin/env bash
# Shoal: build everything and run the whole test suite through CTest.
#   ./scripts/test.sh                 all tests
#   ./scripts/test.sh -L foundation   extra arguments go to ctest (labels: foundation, core,
#                                     rtos, drrm, wmu, alloc, agent, predict, queue, audit, service, api,
#                                     scenario, fabric, trust, lint, synth, hls, tooling)
# Installs missing Debian packages first (scripts/install-deps.sh), so a fresh machine works.
# Build directory: $SHOAL_BUILD_DIR (default: build/). Warnings are errors here, as in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SHOAL_BUILD_DIR:-build}
JOBS=${SHOAL_JOBS:-$(nproc)}

./scripts/install-deps.sh
echo "== configure ($BUILD)"
cmake -S . -B "$BUILD" -G Ninja -DSHOAL_WERROR=ON >/dev/null
echo "== build ($JOBS jobs)"
start=$(date +%s)
cmake --build "$BUILD" -j "$JOBS"
echo "== build took $(( $(date +%s) - start )) s"
echo "== test"
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" "$@"
