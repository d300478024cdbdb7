#!/usr/bin/env bash
# Validates the Kubernetes manifests in deploy/kubernetes/ (or the files given as arguments) offline (kubectl is not in Debian bookworm's archive):
#   1. schema: kubernetes-validate (PyPI; it bundles the Kubernetes JSON schemas) in strict mode, so an unknown field
#      or a wrong type fails, against Kubernetes 1.29 (the first whose default feature set runs backoffLimitPerIndex)
#      and 1.37 (the newest it bundles);
#   2. what a schema cannot see: the sweep is an Indexed Job, EWM_SIM_SHARD_COUNT equals its completions, and the
#      merge reads the directory the shards write their parts to, on the same claim.
# Installs kubernetes-validate into the project's .venv, making .venv if there is none (scripts/python-setup.sh then
# adds the Python package to it). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
version="1.37.0"   # of kubernetes-validate
scripts/make-venv.sh
if [ "$(.venv/bin/python -m pip show kubernetes-validate 2>/dev/null | sed -n 's/^Version: //p')" != "$version" ]; then
  .venv/bin/python -m pip install -q "kubernetes-validate==$version" \
    || { echo "validate-k8s: pip could not install kubernetes-validate==$version" >&2; exit 1; }
fi

manifests=(deploy/kubernetes/sweep-job.yaml deploy/kubernetes/merge-job.yaml)
if [ $# -gt 0 ]; then manifests=("$@"); fi   # other manifests: the sweep Job's file(s) and the merge Job's
for m in "${manifests[@]}"; do [ -f "$m" ] || { echo "validate-k8s: no such manifest: $m" >&2; exit 1; }; done
for k in 1.29.0 1.37.0; do
  .venv/bin/kubernetes-validate --strict -k "$k" "${manifests[@]}"
done

.venv/bin/python - "${manifests[@]}" <<'PY'
import sys
import yaml

failures = []


def check(ok, message):
    print(("ok   " if ok else "FAIL ") + message)
    if not ok:
        failures.append(message)


docs = {}
for path in sys.argv[1:]:
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if doc:
                docs[(doc["kind"], doc["metadata"]["name"])] = doc

sweep = docs.get(("Job", "ewm-sim-sweep"))
merge = docs.get(("Job", "ewm-sim-merge"))
check(sweep is not None and merge is not None, "the sweep Job ewm-sim-sweep and the merge Job ewm-sim-merge are there")
if failures:
    sys.exit(1)


def container(job):
    return job["spec"]["template"]["spec"]["containers"][0]


def option(args, name):
    return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else None


def claims(job):
    spec = job["spec"]["template"]["spec"]
    volumes = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in spec.get("volumes", [])}
    return {m["mountPath"]: volumes.get(m["name"]) for m in container(job).get("volumeMounts", [])}


def claim_of(job, path):
    mounts = claims(job)
    owners = [m for m in mounts if path == m or path.startswith(m.rstrip("/") + "/")]
    return mounts[max(owners, key=len)] if owners else None


spec = sweep["spec"]
check(spec.get("completionMode") == "Indexed", f"the sweep is an Indexed Job (completionMode {spec.get('completionMode')!r})")
env = {e["name"]: e.get("value") for e in container(sweep).get("env", [])}
completions = spec.get("completions")
check(
    env.get("EWM_SIM_SHARD_COUNT") == str(completions),
    f"EWM_SIM_SHARD_COUNT {env.get('EWM_SIM_SHARD_COUNT')!r} equals completions {completions!r}",
)
check(spec["template"]["spec"].get("restartPolicy") == "Never", "shards are not restarted in place (restartPolicy Never)")
shard_args = container(sweep).get("command", []) + container(sweep).get("args", [])
merge_args = container(merge).get("command", []) + container(merge).get("args", [])
parts = option(shard_args, "--parts")
check(parts is not None, f"the shards write parts (--parts {parts})")
check("merge" in merge_args and parts in merge_args, f"the merge reads the shards' parts directory ({merge_args})")
claim = claim_of(sweep, parts or "")
check(claim is not None and claim == claim_of(merge, parts or ""), f"shards and merge mount {parts} from the same claim ({claim})")
pvc = docs.get(("PersistentVolumeClaim", claim))
check(pvc is not None and "ReadWriteMany" in pvc["spec"].get("accessModes", []), f"claim {claim} is declared ReadWriteMany")
if failures:
    print(f"validate-k8s: {len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
PY
echo "validate-k8s: ${manifests[*]} valid"
