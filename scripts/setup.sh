#!/usr/bin/env bash
# Fresh machine to a running ewm-sim: install what is missing, build in release, run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product ewm-sim
scripts/python-setup.sh    # .venv at the root: libEWMSimC (release), pip install -e python/[test,datasets] (+ gym-pusht if it installs)
.build/release/ewm-sim pusht --orientation 0.7 --planner equivariant
