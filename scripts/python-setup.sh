#!/usr/bin/env bash
# The Python package (python/, `import ewm_sim`): builds the C ABI library in release (.build/release/libEWMSimC.so),
# makes a virtual environment .venv at the repository root (git-ignored) and installs ewm_sim into it, editable, with
# its test dependencies (gymnasium, numpy, pytest), the dataset writers' (pyarrow, zarr) and, if it installs, gym-pusht 0.1.8 (the reference of the parity
# tests and the benchmark; without it those tests skip). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
config="${EWM_SIM_CONFIGURATION:-release}"   # the test command uses the debug build it already has
swift build -c "$config" --product EWMSimC
export EWM_SIM_LIBRARY="$PWD/.build/$config/libEWMSimC.so"
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv; then
    # Debian's python3 ships venv separately.
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    rm -rf .venv
    python3 -m venv .venv
  fi
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e 'python/[test,datasets]'
if ! .venv/bin/python -m pip install -q -e 'python/[test,datasets,reference]'; then
  echo "python-setup: gym-pusht did not install; the parity tests and the benchmark's reference will be skipped" >&2
fi
.venv/bin/python -c 'import ewm_sim; print("ewm_sim", ewm_sim.library_path(), ", ".join(ewm_sim.gym_ids()))'
