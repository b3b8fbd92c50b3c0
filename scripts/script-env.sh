#!/usr/bin/env bash
# What every script of the repository starts with, sourced by scripts/test.sh, scripts/mutation.sh and
# benchmarks/run.sh after they set LOG_TAG (the name their log lines carry):
#   IS_CI    1 when CI=true (a missing database or browser then fails the run instead of being skipped)
#   IS_ROOT  1 when running as root (CI does; the throwaway clusters then run as a non-root user)
#   log, warn, die   messages on stderr; die exits 1
IS_CI=0
[[ "${CI:-}" == "true" ]] && IS_CI=1
IS_ROOT=0
[[ "$(id -u)" == "0" ]] && IS_ROOT=1

log()  { printf '[%s] %s\n' "${LOG_TAG:-script}" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "${LOG_TAG:-script}" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "${LOG_TAG:-script}" "$*" >&2; exit 1; }
