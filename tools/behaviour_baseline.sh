#!/usr/bin/env bash
# Runs a fixed set of cheap commands with one ewm-sim binary and keeps every output, for comparing two builds
# (tools/compare_baselines.py). Run from the repository root; BIN OUT as arguments.
# usage: baseline.sh BIN OUT  (run from a repo root with assets/)
set -u
B=$1; O=$2; mkdir -p $O
run() { name=$1; shift; "$B" "$@" > $O/$name.out 2> $O/$name.err; echo "$name rc=$?" >> $O/rc.txt; }
run main pusht --orientation 0.7 --planner equivariant --episodes 2 --json --dump $O/main.npz
run scripted pusht --orientation 0.7 --policy scripted --episodes 3 --json
run onestep eval one-step --checkpoint assets/pusht-vn/checkpoint.safetensors --checkpoint assets/pusht-mlp/checkpoint.safetensors --orientations 8 --episodes 20 --json
run onestep-fs5 eval one-step --checkpoint assets/pusht-vn-fs5/checkpoint.safetensors --checkpoint assets/pusht-mlp-fs5/checkpoint.safetensors --orientations 8 --episodes 20 --json
run orbit check orbit --env pusht --elements 4 --episodes 2 --steps 30 --json
for e in push3d push3d-multi teacher3d; do run se3-$e check orbit --env $e --elements 20 --episodes 8 --steps 10 --json; done
run planner check planner --orientations 4 --states 2 --json
run collect3d collect teacher3d --episodes 40 --episode-steps 10 --slice identity --out $O/d3
run train3d train --env teacher3d --model vn --slice identity --data $O/d3 --steps 100 --out $O/vn3
run train3dm train --env teacher3d --model mlp --slice identity --data $O/d3 --steps 100 --out $O/mlp3
run ladder eval one-step --elements 4 --episodes 10 --checkpoint $O/vn3/checkpoint.safetensors --checkpoint $O/mlp3/checkpoint.safetensors --json
run cl3d eval closed-loop --env teacher3d --controller equivariant:$O/vn3/checkpoint.safetensors --controller cem:$O/mlp3/checkpoint.safetensors --elements 3 --episodes 3 --json
run collect2d collect pusht --episodes 20 --episode-steps 10 --out $O/d2
run collect2dt collect teacher2d --episodes 20 --episode-steps 10 --out $O/d2t
run train-vn train --env pusht --model vn --seed 0 --out $O/pusht-vn
run train-mlp train --env pusht --model mlp --seed 0 --out $O/pusht-mlp
run train-t train --env teacher2d --model vn --data $O/d2t --steps 50 --out $O/t2
