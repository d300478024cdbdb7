#!/usr/bin/env bash
# Runs each sharded sweep whole and cut into N shards (run one after the other here; on a cluster, one array task
# each), merges the parts and compares the merged stdout (--json, and the text table) with the whole run's, byte for
# byte; collect also compares every dataset file. Prints a markdown table (docs/results.md, "Sharded sweeps").
# Usage: tools/shard_equality.sh [BINARY] [N]   (default .build/release/ewm-sim if built, else .build/debug/ewm-sim; N = 3)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-$( [ -x .build/release/ewm-sim ] && echo .build/release/ewm-sim || echo .build/debug/ewm-sim )}
B=$(realpath "$B")
N=${2:-3}
ROOT=$(pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
SEARCH="--samples 8 --iterations 1 --elites 2 --threads 1"

echo "| command | units | shards | part files (bytes) | merged JSON = whole | merged text = whole |"
echo "|---|---|---|---|---|---|"
check() {  # name, then the command's arguments
    local name=$1; shift
    local dir="$W/$name"; mkdir -p "$dir"
    "$B" "$@" --json > "$dir/whole.json"
    "$B" "$@" > "$dir/whole.txt"
    for ((i = 0; i < N; i++)); do "$B" "$@" --shard "$i/$N" --parts "$dir/parts" 2> /dev/null; done
    "$B" merge "$dir/parts" --json > "$dir/merged.json"
    "$B" merge "$dir/parts" > "$dir/merged.txt"
    local units bytes
    units=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['header']['totalUnits'])" "$dir/parts/part-0-of-$N.json")
    bytes=$(cat "$dir"/parts/part-*.json | wc -c)
    echo "| \`$name\` | $units | $N | $bytes | $(cmp -s "$dir/whole.json" "$dir/merged.json" && echo yes || echo NO) | $(cmp -s "$dir/whole.txt" "$dir/merged.txt" && echo yes || echo NO) |"
}
A="$ROOT/assets"
check "eval closed-loop" eval closed-loop --elements 4 --episodes 3 $SEARCH --no-timings
check "eval one-step" eval one-step --checkpoint "$A/pusht-vn-fs5/checkpoint.safetensors" --checkpoint "$A/pusht-mlp-fs5/checkpoint.safetensors" --elements 8 --episodes 10
check "eval rollout" eval rollout --checkpoint "$A/pusht-vn-fs5/checkpoint.safetensors" --elements 8 --episodes 10 --horizons 1,2,4 --segments 64
check "pusht --planner" pusht --orientation 0.7 --planner equivariant --episodes 4 $SEARCH --no-timings
check "check planner" check planner --orientations 4 --states 4 $SEARCH
check "check orbit" check orbit --env pusht --elements 4 --episodes 2 --steps 50
check "check orbit --env push3d" check orbit --env push3d --elements 60 --episodes 3 --steps 20
check "experiment block-isotropy" experiment block-isotropy --draws 20 --samples 128 --slices 16

# collect: stdout and every file of the dataset.
C="$W/collect"; mkdir -p "$C"; cd "$C"
ARGS=(collect pusht --episodes 40 --episode-steps 10 --shard-size 150 --no-timings)
"$B" "${ARGS[@]}" --out whole --json > whole.json
for ((i = 0; i < N; i++)); do "$B" "${ARGS[@]}" --out sharded --shard "$i/$N" 2> /dev/null; done
"$B" merge sharded/parts --json > merged.json
same=yes
for f in whole/*; do cmp -s "$f" "sharded/$(basename "$f")" || same=NO; done
bytes=$(cat sharded/parts/part-* | wc -c)
echo "| \`collect\` (+ $(ls whole | wc -l) dataset files, each = whole: $same) | 40 | $N | $bytes | $(cmp -s whole.json merged.json && echo yes || echo NO) | - |"
