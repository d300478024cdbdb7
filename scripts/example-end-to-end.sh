#!/usr/bin/env bash
# The outside-package example end to end at tiny sizes: `reach-plane` is ewm-sim's command set with the example's env
# registered (Examples/ReachPlane). Collect, train a VN and an MLP, evaluate one step across the group and close the
# loop at two orientations; the checks are on the JSON each command prints.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --package-path Examples/ReachPlane --scratch-path Examples/ReachPlane/.build --product reach-plane >&2
R="$PWD/Examples/ReachPlane/.build/debug/reach-plane"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$R" list --json > list.json
"$R" collect reach-plane --episodes 40 --episode-steps 10 --start half-plane --out data --json > collect.json
"$R" train --env reach-plane --model vn --data data --steps 100 --out vn --json > train-vn.json
"$R" train --env reach-plane --model mlp --data data --steps 100 --out mlp --json > train-mlp.json
"$R" eval one-step --checkpoint vn/checkpoint.safetensors --checkpoint mlp/checkpoint.safetensors --orientations 4 --episodes 10 --json > one-step.json
"$R" eval closed-loop --env reach-plane --controller equivariant:vn/checkpoint.safetensors --controller cem:mlp/checkpoint.safetensors \
    --orientations 2 --episodes 2 --samples 32 --iterations 3 --json > closed-loop.json
python3 - <<'PY'
import json
checks = []
def check(name, ok, detail):
    checks.append(ok)
    print(("ok   " if ok else "FAIL ") + name + ": " + detail)
ids = [e["id"] for e in json.load(open("list.json"))]
check("list has reach-plane", "reach-plane" in ids, ", ".join(ids))
collect = json.load(open("collect.json"))
check("collect", collect["transitions"] == 400, f'{collect["transitions"]} transitions')
vn, mlp = json.load(open("one-step.json"))
check("VN flat across the group", vn["flatness"] < 1e-9 and abs(vn["oodRatio"] - 1) < 1e-6, f'flatness {vn["flatness"]:.3g}, OOD ratio {vn["oodRatio"]:.7f}')
check("VN exactly equivariant", vn["residualDouble"] < 1e-12, f'composed residual (Double) {vn["residualDouble"]:.3g}')
check("MLP not equivariant", mlp["oodRatio"] > 2, f'OOD ratio {mlp["oodRatio"]:.3g}')
loop = json.load(open("closed-loop.json"))
vn_rows = [r for r in loop["rows"] if r["controller"].startswith("equivariant")]
check("closed loop ran", loop["protocol"] == "reach" and len(loop["rows"]) == 4, f'{len(loop["rows"])} rows, protocol {loop["protocol"]}')
check("equivariant closed loop on the orbit", max(r["maxDeviation"] for r in vn_rows) < 1e-9, f'deviation {max(r["maxDeviation"] for r in vn_rows):.3g}')
print(f"{sum(checks)} passed, {len(checks) - sum(checks)} failed")
raise SystemExit(0 if all(checks) else 1)
PY
