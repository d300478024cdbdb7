#!/usr/bin/env bash
# The test command: make sure the system packages are there, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift test "$@"
