#!/usr/bin/env bash
# Makes the project's .venv if there is none (installing Debian's python3-venv when python3 lacks venv). Idempotent;
# scripts/python-setup.sh then installs the Python package into it, scripts/validate-k8s.sh its checker.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv; then
    # Debian's python3 ships venv separately.
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    rm -rf .venv
    python3 -m venv .venv
  fi
fi
