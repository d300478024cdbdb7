#!/usr/bin/env bash
# The Python package's tests (python/tests, pytest) against the C ABI library, by default its debug build (which the
# test command has mostly compiled already; EWM_SIM_CONFIGURATION=release for the release one). Sets up .venv first if
# it is missing (scripts/python-setup.sh). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export EWM_SIM_CONFIGURATION="${EWM_SIM_CONFIGURATION:-debug}"
swift build -c "$EWM_SIM_CONFIGURATION" --product EWMSimC
export EWM_SIM_LIBRARY="$PWD/.build/$EWM_SIM_CONFIGURATION/libEWMSimC.so"
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import ewm_sim' 2>/dev/null; then
  scripts/python-setup.sh
fi
.venv/bin/python -m pytest -q python/tests "$@"
