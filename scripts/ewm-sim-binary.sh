# Sourced by the integration tests: sets `bin` to the ewm-sim they run. EWM_SIM=path takes that binary; otherwise the
# project's dependencies are installed if missing and ewm-sim is built (EWM_SIM_CONFIGURATION, default debug).
# Expects the caller's `say` and `fail` and the repository root as the working directory.
if [ -n "${EWM_SIM:-}" ]; then
  bin="$(realpath "$EWM_SIM")"
  [ -x "$bin" ] || fail "EWM_SIM=$EWM_SIM is not an executable file"
else
  config="${EWM_SIM_CONFIGURATION:-debug}"
  scripts/install-deps.sh
  say "building ewm-sim ($config)"
  swift build -c "$config" --product ewm-sim >&2
  bin="$PWD/.build/$config/ewm-sim"
fi
