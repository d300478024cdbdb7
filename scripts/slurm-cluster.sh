#!/usr/bin/env bash
# A real single-node Slurm on this machine, for the cluster integration test (scripts/slurm-test.sh) and for trying
# deploy/slurm/ by hand. No systemd needed: the daemons are started directly.
#
#   scripts/slurm-cluster.sh start    # installs slurmctld, slurmd, slurm-client and munge with apt if missing, makes a
#                                     # munge key if there is none, writes a slurm.conf for this host (its real CPU
#                                     # count and memory, from `slurmd -C`), starts munged, slurmctld and slurmd, and
#                                     # waits until `sinfo` shows the node idle. A no-op when that cluster already runs.
#   scripts/slurm-cluster.sh stop     # stops the daemons this script started (by their pid files)
#   scripts/slurm-cluster.sh status   # the node's state, or exit 1 when the cluster is not running
#   scripts/slurm-cluster.sh env      # prints `export SLURM_CONF=...`: eval "$(scripts/slurm-cluster.sh env)"
#
# Everything lives in EWM_SIM_SLURM_DIR (default /tmp/ewm-sim-slurm): slurm.conf, state, spool, logs, pid files.
# /etc/slurm is not touched; Slurm's commands find the configuration through SLURM_CONF. The daemons listen on
# 127.0.0.1 only (ports EWM_SIM_SLURM_PORT and the next one, default 6817 and 6818).
set -euo pipefail

dir="${EWM_SIM_SLURM_DIR:-/tmp/ewm-sim-slurm}"
port="${EWM_SIM_SLURM_PORT:-6817}"
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"
host="$(hostname -s)"

die() {
  echo "slurm-cluster: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root (slurmd must run as root, and munged is started as the munge user)"
[ -n "$host" ] || die "hostname -s printed nothing"

# The pid in a pid file, if that process is alive and is the expected program.
live_pid() {
  local file="$1" name="$2" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
  echo "$pid"
}

node_state() { sinfo -h -n "$host" -o %T 2>/dev/null | head -n 1; }

install_packages() {
  local p missing=()
  for p in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "slurm-cluster: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

start_munge() {
  local key=/etc/munge/munge.key
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  if [ ! -s "$key" ]; then
    echo "slurm-cluster: creating a munge key at $key" >&2
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile="$key" --force
    else
      dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
    fi
  fi
  chown munge:munge /etc/munge "$key"
  chmod 0700 /etc/munge
  chmod 0400 "$key"
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  # Not inheriting this script's lock (fd 8) nor slurm-test.sh's (fd 9), as the slurm daemons below.
  runuser -u munge -- /usr/sbin/munged 8>&- 9>&- || die "munged did not start (see /var/log/munge/munged.log)"
  touch "$dir/munged.ours"
  for _ in $(seq 1 50); do
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "munged started but a credential does not round-trip (munge -n | unmunge)"
}

write_conf() {
  # The node's real hardware as slurmd sees it: "NodeName=vm CPUs=2 Boards=1 ... RealMemory=24105".
  local hw
  hw="$(slurmd -C | head -n 1)"
  [[ "$hw" == NodeName=* ]] || die "slurmd -C printed '$hw', not a NodeName line"
  hw="${hw#NodeName=* }"
  mkdir -p "$dir/state" "$dir/spool"
  cat >"$conf.tmp" <<EOF
# Written by scripts/slurm-cluster.sh for host $host: a one-node test cluster, no accounting, no cgroups.
ClusterName=ewmsim
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
DependencyParameters=kill_invalid_depend
MinJobAge=600
SlurmdTimeout=60
NodeName=$host NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$conf.tmp" "$conf"
}

wait_idle() {
  local state=""
  for _ in $(seq 1 120); do
    state="$(node_state || true)"
    case "$state" in
      idle | mixed | allocated) return 0 ;;
      drained | draining | down) scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  echo "--- $dir/slurmctld.log (tail)" >&2
  tail -n 20 "$dir/slurmctld.log" >&2 || true
  echo "--- $dir/slurmd.log (tail)" >&2
  tail -n 20 "$dir/slurmd.log" >&2 || true
  die "node $host is '${state:-not listed}' after 60 s, not idle"
}

start() {
  install_packages
  mkdir -p "$dir"
  if live_pid "$dir/slurmctld.pid" slurmctld >/dev/null && live_pid "$dir/slurmd.pid" slurmd >/dev/null \
    && [ -n "$(node_state || true)" ]; then
    wait_idle
    echo "slurm-cluster: already running; node $host $(node_state)" >&2
    return 0
  fi
  stop_daemons
  start_munge
  write_conf
  # -c: a fresh controller state each start (job ids restart at 1); the cluster keeps nothing between starts.
  # The daemons outlive this script: they must not inherit its lock (fd 8) nor slurm-test.sh's (fd 9).
  slurmctld -c -f "$conf" 8>&- 9>&- || die "slurmctld did not start (see $dir/slurmctld.log)"
  slurmd -f "$conf" 8>&- 9>&- || die "slurmd did not start (see $dir/slurmd.log)"
  wait_idle
  echo "slurm-cluster: node $host $(node_state) ($(sinfo -h -n "$host" -o '%c CPUs, %m MB')); export SLURM_CONF=$conf" >&2
}

# Stops slurmd and slurmctld if their pid files name live ones, and waits until they are gone.
stop_daemons() {
  local name pid
  for name in slurmd slurmctld; do
    pid="$(live_pid "$dir/$name.pid" "$name")" || continue
    kill "$pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && die "$name ($pid) did not stop within 10 s"
  done
  return 0
}

stop() {
  stop_daemons
  if [ -f "$dir/munged.ours" ]; then
    local pid
    if pid="$(live_pid /run/munge/munged.pid munged)"; then kill "$pid"; fi
    rm -f "$dir/munged.ours"
  fi
  echo "slurm-cluster: stopped" >&2
}

status() {
  command -v sinfo >/dev/null || die "not installed (scripts/slurm-cluster.sh start installs it)"
  live_pid "$dir/slurmctld.pid" slurmctld >/dev/null || die "slurmctld is not running"
  live_pid "$dir/slurmd.pid" slurmd >/dev/null || die "slurmd is not running"
  local state
  state="$(node_state || true)"
  [ -n "$state" ] || die "the controller does not answer sinfo"
  echo "node $host $state"
}

# Starts and stops one at a time (a lock beside the directory).
locked() {
  exec 8>"$dir.lock"
  flock -w 120 8 || die "another slurm-cluster.sh holds $dir.lock"
  "$@"
}

case "${1:-}" in
  start) locked start ;;
  stop) locked stop ;;
  status) status ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) die "usage: scripts/slurm-cluster.sh start|stop|status|env" ;;
esac
