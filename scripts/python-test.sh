#!/usr/bin/env bash
# The Python package's tests (python/tests, pytest) against the release build of the C ABI library. Sets up .venv
# first if it is missing (scripts/python-setup.sh). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import ewm_sim' 2>/dev/null; then
  scripts/python-setup.sh
fi
swift build -c release --product EWMSimC
EWM_SIM_LIBRARY="$PWD/.build/release/libEWMSimC.so" .venv/bin/python -m pytest -q python/tests "$@"
