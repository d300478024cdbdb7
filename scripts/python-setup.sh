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
scripts/make-venv.sh
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e 'python/[test,datasets]'
if ! .venv/bin/python -m pip install -q -e 'python/[test,datasets,reference]'; then
  echo "python-setup: gym-pusht did not install; the parity tests and the benchmark's reference will be skipped" >&2
fi
.venv/bin/python -c 'import ewm_sim; print("ewm_sim", ewm_sim.library_path(), ", ".join(ewm_sim.gym_ids()))'
