#!/usr/bin/env bash
# What every script of the repository starts with, sourced by scripts/test.sh, scripts/mutation.sh and
# benchmarks/run.sh after they set LOG_TAG (the name their log lines carry):
#   IS_CI    1 when CI=true (a missing database or browser then fails the run instead of being skipped)
#   IS_ROOT  1 when running as root (CI does; the throwaway clusters then run as a non-root user)
#   log, warn, die   messages on stderr; die exits 1
#   wait_until_ready  polls a started server until its probe answers (or it exits), else shows its log and dies
IS_CI=0
[[ "${CI:-}" == "true" ]] && IS_CI=1
IS_ROOT=0
[[ "$(id -u)" == "0" ]] && IS_ROOT=1

log()  { printf '[%s] %s\n' "${LOG_TAG:-script}" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "${LOG_TAG:-script}" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "${LOG_TAG:-script}" "$*" >&2; exit 1; }

# wait_until_ready NAME LOG PID PROBE...: runs PROBE every 0.5 s for ~30 s until it succeeds; stops early when the
# process PID (empty: not watched) has exited. On failure prints the last lines of LOG and dies.
wait_until_ready() {
  local name=$1 logfile=$2 pid=$3 i
  shift 3
  for i in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.5
  done
  tail -n 30 "$logfile" 2>/dev/null | sed "s/^/    $name: /" >&2 || true
  die "$name did not become ready within ~30 s (see log above)."
}
