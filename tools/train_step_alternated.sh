#!/bin/bash
# The train step against PyTorch, two ewm-sim binaries alternated round by round, each with the project's BLAS kernel
# and with OpenBLAS's Prescott fallback forced: ratios within one run, as the speed section of docs/results.md compares.
# usage: tools/train_step_alternated.sh BEFORE_BINARY AFTER_BINARY PYTHON_WITH_TORCH [ROUNDS]
# prints: round binary kernel ours_ms torch_ms speed-up first_loss last_loss, then the load average
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 BEFORE_BINARY AFTER_BINARY PYTHON_WITH_TORCH [ROUNDS]" >&2; exit 2; }
before=$1 after=$2 python=$3 rounds=${4:-3}
for r in $(seq 1 "$rounds"); do
  for which in before after; do
    binary=$before; [ "$which" = after ] && binary=$after
    for core in project Prescott; do
      env_args=(); [ "$core" = Prescott ] && env_args=(OPENBLAS_CORETYPE=Prescott)
      env "${env_args[@]}" "$binary" bench train-step --dim 2 --torch --python "$python" --json 2>/dev/null | python3 -c "
import json, sys
d = json.load(sys.stdin); s = d['swift']; t = d.get('torch') or {}
print('$r $which', d['blas']['kernel'], '%.2f' % s['msPerStepMedian'], '%.2f' % t.get('ms_per_step_median', 0),
      '%.2f' % (d.get('speedup') or 0), repr(s['firstLoss']), repr(s['lastLoss']))"
      echo "   load: $(cut -d' ' -f1-3 /proc/loadavg)"
    done
  done
done
