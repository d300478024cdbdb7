#!/usr/bin/env bash
# The test command: make sure the system packages are there, then run the whole suite, then build and test the
# outside-package example (Examples/ReachPlane), which adds an env through the public API only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift test "$@"
swift test --package-path Examples/ReachPlane --scratch-path Examples/ReachPlane/.build
