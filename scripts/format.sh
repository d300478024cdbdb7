#!/usr/bin/env bash
# Formats every Swift file in place with the toolchain's swift-format and the checked-in .swift-format (the test
# command lints with the same configuration and fails on any difference).
set -euo pipefail
cd "$(dirname "$0")/.."
swift format format --in-place --parallel --recursive Package.swift Sources Tests Examples/ReachPlane/Package.swift Examples/ReachPlane/Sources Examples/ReachPlane/Tests
