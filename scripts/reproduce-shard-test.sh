#!/usr/bin/env bash
# `reproduce --shard` end to end: the smoke reproduction run once unsharded, then as a 2-task Slurm array writing one
# directory plus the index step after it (deploy/slurm/reproduce.sbatch, on the real single-node Slurm that
# scripts/slurm-cluster.sh starts, installing slurm and munge with apt if missing), and the two directories compared
# (tools/compare_reproductions.py: the same files, equal byte for byte but for wall-clock figures). Also checks that
# the index step computed nothing (every part kept). Not in scripts/test.sh: the smoke scale takes about 2 minutes of
# a debug build per run on 2 loaded cores.
#
#   scripts/reproduce-shard-test.sh                 # builds ewm-sim (debug; EWM_SIM_CONFIGURATION=release for release)
#   EWM_SIM=path/to/ewm-sim scripts/reproduce-shard-test.sh
#   scripts/reproduce-shard-test.sh --local         # the two shards as two local processes instead of Slurm
#
# The work directory is removed on success and kept, with its path printed, on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
start_time=$(date +%s)
say() { echo "reproduce-shard-test [$(($(date +%s) - start_time)) s]: $*" >&2; }
fail() {
  echo "reproduce-shard-test: FAIL: $*" >&2
  exit 1
}
local_mode=0
[ "${1:-}" = "--local" ] && local_mode=1
tasks=2
timeout="${EWM_SIM_SLURM_TIMEOUT:-900}"

source scripts/ewm-sim-binary.sh

work="$(mktemp -d /tmp/ewm-sim-reproduce-shard-test.XXXXXX)"
out="$work/report"
cluster_started=0
jobs_to_cancel=()
finish() {
  local rc=$?
  if [ ${#jobs_to_cancel[@]} -gt 0 ]; then scancel "${jobs_to_cancel[@]}" 2>/dev/null || true; fi
  if [ "$cluster_started" = 1 ]; then scripts/slurm-cluster.sh stop 9>&- || true; fi
  if [ "$rc" = 0 ]; then rm -rf "$work"; else echo "reproduce-shard-test: work directory kept: $work" >&2; fi
}
trap finish EXIT

say "unsharded: ewm-sim reproduce --scale smoke --out $out"
t0=$(date +%s)
"$bin" reproduce --scale smoke --out "$out" --json >"$work/single.json" 2>"$work/single.log" || fail "the unsharded run failed (see $work/single.log)"
single_seconds=$(($(date +%s) - t0))
mv "$out" "$work/single"   # the same path for both: reports name their files by absolute path

t0=$(date +%s)
if [ "$local_mode" = 1 ]; then
  say "sharded: $tasks local processes into one directory, then the index step"
  pids=()
  for i in $(seq 0 $((tasks - 1))); do
    "$bin" reproduce --scale smoke --out "$out" --shard "$i/$tasks" --json >"$work/shard-$i.json" 2>"$work/shard-$i.log" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail "a shard failed (see $work/shard-*.log)"; done
  "$bin" reproduce --scale smoke --out "$out" --json >"$work/index.json" 2>"$work/index.log" || fail "the index step failed"
else
  # One test at a time on this machine (slurm-test.sh takes the same lock): a second would share the cluster.
  lock="${EWM_SIM_SLURM_DIR:-/tmp/ewm-sim-slurm}.test.lock"
  exec 9>"$lock"
  flock -w "$timeout" 9 || fail "another Slurm test still holds $lock after $timeout s"
  if ! scripts/slurm-cluster.sh status >/dev/null 2>&1 9>&-; then cluster_started=1; fi
  eval "$(scripts/slurm-cluster.sh env)"
  scripts/slurm-cluster.sh start 9>&-
  say "sharded: a $tasks-task Slurm array into one directory, then the index step (deploy/slurm/reproduce.sbatch)"
  ids="$(EWM_SIM="$bin" EWM_SIM_SBATCH_ARGS="--output=$work/job-%A_%a.log" \
    deploy/slurm/reproduce.sbatch "$tasks" --scale smoke --out "$out" --json)" || fail "the launcher failed"
  read -r array_id index_id <<<"$ids"
  jobs_to_cancel=("$array_id" "$index_id")
  while [ -n "$(squeue -h -j "$array_id,$index_id" -o %i 2>/dev/null)" ]; do
    [ $(($(date +%s) - t0)) -le "$timeout" ] || fail "the jobs did not finish within $timeout s"
    sleep 1
  done
  jobs_to_cancel=()
  states="$({ scontrol show job -o "$array_id" && scontrol show job -o "$index_id"; } | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort | uniq -c | xargs)"
  [ "$states" = "$((tasks + 1)) COMPLETED" ] || {
    tail -n 20 "$work"/job-*.log >&2 || true
    fail "jobs $array_id (array) and $index_id (index): $states, want $((tasks + 1)) COMPLETED"
  }
  cp "$(ls "$work"/job-"${index_id}"_*.log | head -n 1)" "$work/index.json"
fi
sharded_seconds=$(($(date +%s) - t0))

# The index step found every part finished and computed nothing.
python3 - "$work/index.json" <<'PY' || fail "the index step ran parts (see $work/index.json)"
import json, sys
text = open(sys.argv[1]).read()
report = json.loads(text[text.index("{"):])   # a Slurm log may hold the launcher's line first
states = {p["state"] for p in report["parts"]}
assert states == {"kept"} and "index" in report, (states, report.get("index"))
PY
[ -s "$out/index.html" ] || fail "no index.html in $out"

python3 tools/compare_reproductions.py "$work/single" "$out" || fail "the sharded report differs from the unsharded one"
say "ok: $tasks shards + index step = the unsharded run ($(find "$out" -type f -not -path '*/.*' | wc -l) files); unsharded ${single_seconds} s, sharded ${sharded_seconds} s wall (load $(cut -d' ' -f1-3 /proc/loadavg))"
