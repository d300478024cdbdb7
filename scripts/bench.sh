#!/usr/bin/env bash
# Speed benchmarks in release mode, each printed as one JSON object per line.
# gym-pusht is timed in the same run when it is installed (pip install gym-pusht); torch likewise for train-step.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product ewm-sim >&2
B=.build/release/ewm-sim
ref=""
python3 -c "import gym_pusht" 2>/dev/null && ref="--reference"
for obs in state keypoints pixels; do
  $B bench pusht --obs "$obs" --envs 16 --seconds "${SECONDS_PER_BENCH:-3}" $ref --json | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)))"
done
torch=""
python3 -c "import torch" 2>/dev/null && torch="--torch"
for dim in 2 3; do
  $B bench train-step --dim "$dim" $torch --json | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)))"
done
