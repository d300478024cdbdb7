#!/usr/bin/env bash
# The test command: make sure the system packages are there, then run the whole suite, then build and test the
# outside-package example (Examples/ReachPlane), which adds an env through the public API only, and run the command
# set on it end to end, then a sharded sweep on a real single-node Slurm (installs slurm and munge with apt if
# missing), the Kubernetes manifests' check and the report in a real browser (installs chromium if missing), then the
# Python package's tests (Gymnasium's checker, the vector env, gym-pusht parity, datasets).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Layout: the toolchain's swift-format with the checked-in .swift-format (scripts/format.sh fixes what it finds).
swift format lint --strict --parallel --recursive Package.swift Sources Tests Examples/ReachPlane/Package.swift \
    Examples/ReachPlane/Sources Examples/ReachPlane/Tests
swift test "$@"
swift test --package-path Examples/ReachPlane --scratch-path Examples/ReachPlane/.build
scripts/example-end-to-end.sh
scripts/slurm-test.sh      # a 4-task Slurm array of a small closed-loop sweep on a real single-node Slurm, merged = one process (cmp)
scripts/validate-k8s.sh    # the Kubernetes manifests against Kubernetes' JSON schemas, offline (kubernetes-validate in .venv)
scripts/browser-test.sh    # a smoke `reproduce` report in headless Chromium: no console error, every image loaded, the players step and loop
scripts/python-test.sh     # pytest python/tests against the debug build of libEWMSimC (sets up .venv if missing)
