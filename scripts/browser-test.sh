#!/usr/bin/env bash
# The report in a real browser: builds a tiny report (`ewm-sim reproduce --scale smoke`, seconds) and checks it in
# headless Chromium (tools/browser_check.py, Selenium): no console error on index.html or any animation page, every
# image loaded with a non-zero width, every player steps and loops. Installs Debian's chromium and chromium-driver if
# missing, and selenium into .venv (scripts/python-setup.sh makes .venv). EWM_SIM_BIN: the binary (default: the debug
# build, built if missing); arguments go to browser_check.py (e.g. --json).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -x .venv/bin/python ]; then EWM_SIM_CONFIGURATION="${EWM_SIM_CONFIGURATION:-debug}" scripts/python-setup.sh; fi
.venv/bin/python -c 'import selenium' 2>/dev/null || .venv/bin/python -m pip install -q selenium
bin="${EWM_SIM_BIN:-.build/debug/ewm-sim}"
if [ -z "${EWM_SIM_BIN:-}" ]; then swift build --product ewm-sim >/dev/null; fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" reproduce --scale smoke --out "$out/report" --json >"$out/reproduce.json"
.venv/bin/python tools/browser_check.py "$out/report" "$@"
echo "browser test: $(( $(date +%s) - start )) s" >&2
