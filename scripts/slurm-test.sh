#!/usr/bin/env bash
# The cluster integration test: a small closed-loop sweep run as a 4-task Slurm job array on a real single-node Slurm
# (scripts/slurm-cluster.sh starts it, installing slurm and munge with apt if missing), merged by a dependent job, and
# the merged JSON compared byte for byte (cmp) with the same sweep run in one process. Fails loudly otherwise.
#
#   scripts/slurm-test.sh                  # builds ewm-sim (debug; EWM_SIM_CONFIGURATION=release for release)
#   EWM_SIM=path/to/ewm-sim scripts/slurm-test.sh   # takes that binary instead of building
#
# A cluster this script started is stopped at the end; one that was already running is left running. The work
# directory (parts, task logs, both JSONs) is removed on success and kept, with its path printed, on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
start_time=$(date +%s)
elapsed() { echo "$(($(date +%s) - start_time)) s"; }
say() { echo "slurm-test [$(elapsed)]: $*" >&2; }
fail() {
  echo "slurm-test: FAIL: $*" >&2
  exit 1
}

# The sweep: 4 orientations x 2 goal25 tasks of the equivariant planner with the default VN model, a short search.
# --no-timings drops the wall-clock figures, the only ones that differ between two runs of the same sweep.
sweep=(eval closed-loop --controller equivariant --orientations 4 --episodes 2 --samples 30 --iterations 3
  --threads 1 --no-timings)
tasks=4
timeout="${EWM_SIM_SLURM_TIMEOUT:-900}"

source scripts/ewm-sim-binary.sh
say "binary $bin"

# One test at a time on this machine: a second one would share the cluster, and the first to finish would stop it.
lock="${EWM_SIM_SLURM_DIR:-/tmp/ewm-sim-slurm}.test.lock"
exec 9>"$lock"
if ! flock -n 9; then
  say "another slurm-test holds $lock; waiting for it"
  flock -w "$timeout" 9 || fail "another slurm-test still holds $lock after $timeout s"
fi

cluster_was_up=0
if scripts/slurm-cluster.sh status >/dev/null 2>&1 9>&-; then cluster_was_up=1; fi
eval "$(scripts/slurm-cluster.sh env)"
scripts/slurm-cluster.sh start 9>&-   # the daemons must not hold the test lock
say "cluster up: $(scripts/slurm-cluster.sh status)"

work="$(mktemp -d /tmp/ewm-sim-slurm-test.XXXXXX)"
jobs_to_cancel=()
finish() {
  local rc=$?
  if [ ${#jobs_to_cancel[@]} -gt 0 ]; then scancel "${jobs_to_cancel[@]}" 2>/dev/null || true; fi
  if [ "$cluster_was_up" = 0 ]; then scripts/slurm-cluster.sh stop 9>&- || true; fi
  if [ "$rc" = 0 ]; then rm -rf "$work"; else echo "slurm-test: work directory kept: $work" >&2; fi
}
trap finish EXIT

# Every task's log and the merge's, for a failure's message.
show_logs() {
  local f
  for f in "$work"/*.log; do
    [ -f "$f" ] || continue
    echo "--- $f" >&2
    tail -n 15 "$f" >&2
  done
}

say "single process: ewm-sim ${sweep[*]} --json"
TIMEFORMAT="%R s wall, %U s user CPU"
single_time="$({ time "$bin" "${sweep[@]}" --json >"$work/single.json" 2>"$work/single.log"; } 2>&1)" || {
  show_logs
  fail "the single-process sweep failed"
}

slurm_start=$(date +%s)
array_id="$(sbatch --parsable --array=0-$((tasks - 1)) --chdir="$repo" --output="$work/task-%a.log" \
  --export="ALL,EWM_SIM=$bin" deploy/slurm/sweep.sbatch "${sweep[@]}" --parts "$work/parts")" \
  || fail "sbatch of the array failed"
array_id="${array_id%%;*}"
jobs_to_cancel+=("$array_id")
merge_id="$(sbatch --parsable --dependency=afterok:"$array_id" --chdir="$repo" --output="$work/merge.log" \
  --export="ALL,EWM_SIM=$bin,EWM_SIM_OUTPUT=$work/merged.json" deploy/slurm/sweep.sbatch merge "$work/parts" --json)" \
  || fail "sbatch of the merge failed"
merge_id="${merge_id%%;*}"
jobs_to_cancel+=("$merge_id")
say "submitted array job $array_id ($tasks tasks) and merge job $merge_id (afterok:$array_id)"

# The state of every job of the array and of the merge, one per line ("COMPLETED", "RUNNING", ...).
states() {
  { scontrol show job -o "$array_id" && scontrol show job -o "$merge_id"; } 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2
}
while :; do
  if [ $(($(date +%s) - slurm_start)) -gt "$timeout" ]; then
    show_logs
    fail "the jobs did not finish within $timeout s (EWM_SIM_SLURM_TIMEOUT); states: $(states | sort | uniq -c | tr '\n' ' ')"
  fi
  if [ -z "$(squeue -h -j "$array_id,$merge_id" -o %i 2>/dev/null)" ]; then break; fi
  sleep 1
done
slurm_seconds=$(($(date +%s) - slurm_start))
jobs_to_cancel=()

array_states="$(scontrol show job -o "$array_id" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort | uniq -c | xargs)"
merge_state="$(scontrol show job -o "$merge_id" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)"
[ "$array_states" = "$tasks COMPLETED" ] || {
  show_logs
  fail "array job $array_id: $array_states (want $tasks COMPLETED)"
}
[ "$merge_state" = COMPLETED ] || {
  show_logs
  fail "merge job $merge_id: $merge_state"
}

expected=""
for i in $(seq 0 $((tasks - 1))); do expected+="part-$i-of-$tasks.json "; done
found="$(cd "$work/parts" && printf "%s\n" * | sort -V | xargs)"
[ "$found" = "${expected% }" ] || fail "parts directory holds '$found', want '${expected% }'"
[ -s "$work/merged.json" ] || fail "the merge wrote no output"

if ! cmp "$work/single.json" "$work/merged.json"; then
  diff "$work/single.json" "$work/merged.json" | head -n 20 >&2 || true
  fail "the merged JSON differs from the single-process run's"
fi
say "ok: $tasks shards on Slurm merged equal the single-process run byte for byte ($(wc -c <"$work/merged.json") bytes)"
say "times: single process ${single_time}; Slurm array + merge ${slurm_seconds} s wall; whole test $(elapsed) (load average $(cut -d" " -f1-3 /proc/loadavg))"
