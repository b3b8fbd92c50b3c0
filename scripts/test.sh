#!/usr/bin/env bash
# Runs the complete MediaForge.Credits test suite.
#
#   scripts/test.sh [extra dotnet test arguments...]
#
# What it does:
#   * Unless MEDIAFORGE_TEST_POSTGRES is already set (an Npgsql connection
#     string to a server you provide), starts a throwaway PostgreSQL cluster
#     on a free 127.0.0.1 port, exports MEDIAFORGE_TEST_POSTGRES for the tests
#     and always stops/deletes the cluster on exit.
#   * Likewise for MariaDB (scripts/mariadb-server.sh): unless
#     MEDIAFORGE_TEST_MARIADB is set, installs mariadb-server when root and
#     missing, starts a throwaway server on a free 127.0.0.1 port and exports
#     MEDIAFORGE_TEST_MARIADB (a MySQL connection string).
#   * Runs `dotnet test MediaForge.Credits.sln -c Release` writing TRX files
#     to artifacts/test-results, then prints on the final line:
#       Tests: N passed, N failed, N skipped
#
# Exit code is non-zero if dotnet test failed, any test failed, no tests ran,
# or (with CI=true) any test was skipped.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"

RESULTS="$REPO_ROOT/artifacts/test-results"
LOG_TAG=test.sh
# shellcheck source=scripts/script-env.sh
source "$REPO_ROOT/scripts/script-env.sh"

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || { warn "apt-get not available; cannot install: $*"; return 1; }
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -y >&2 || return 1
    APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
# shellcheck source=scripts/postgres-cluster.sh
source "$SCRIPT_DIR/postgres-cluster.sh"

# ---------------------------------------------------------------------------
# MariaDB
# ---------------------------------------------------------------------------
# shellcheck source=scripts/mariadb-server.sh
source "$SCRIPT_DIR/mariadb-server.sh"

# Both servers stop whenever the script ends.
stop_databases_on_exit

# ---------------------------------------------------------------------------
# Chromium (browser tests)
# ---------------------------------------------------------------------------
ensure_chromium() {
  if [[ -x /usr/bin/chromium ]]; then
    return 0
  fi
  if [[ $IS_CI -eq 1 ]]; then
    if [[ $IS_ROOT -eq 1 ]]; then
      apt_install chromium || die "apt-get install chromium failed; browser tests need /usr/bin/chromium."
      [[ -x /usr/bin/chromium ]] || die "chromium was installed but /usr/bin/chromium does not exist."
    else
      warn "/usr/bin/chromium is missing and we are not root, so it cannot be installed; browser tests will fail."
    fi
  else
    warn "/usr/bin/chromium not found; browser tests will fail. Install it (e.g. 'sudo apt-get install chromium')."
  fi
}

# ---------------------------------------------------------------------------
# Totals
# ---------------------------------------------------------------------------
# Prints "total passed failed skipped" summed over all TRX files in $RESULTS.
sum_trx() {
  local files=()
  shopt -s nullglob globstar
  files=("$RESULTS"/**/*.trx)
  shopt -u nullglob globstar
  if [[ ${#files[@]} -eq 0 ]]; then
    echo "0 0 0 0"; return 0
  fi
  if command -v python3 >/dev/null 2>&1 && python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1; then
    python3 - "${files[@]}" <<'PY'
import sys
import xml.etree.ElementTree as ET
tot = {"total": 0, "passed": 0, "failed": 0, "skipped": 0}
def n(el, name):
    try:
        return int(el.get(name) or 0)
    except ValueError:
        return 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"[test.sh] WARNING: cannot parse {path}: {e}", file=sys.stderr)
        continue
    not_executed_results = 0
    counters = None
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "Counters" and counters is None:
            counters = el
        elif tag == "UnitTestResult" and el.get("outcome") == "NotExecuted":
            not_executed_results += 1
    if counters is None:
        continue
    tot["total"] += n(counters, "total")
    tot["passed"] += n(counters, "passed")
    tot["failed"] += n(counters, "failed") + n(counters, "error") + n(counters, "timeout") + n(counters, "aborted")
    # The VSTest TRX logger leaves notExecuted=0 for skipped tests (they only
    # show up as total - executed and as outcome="NotExecuted" results).
    tot["skipped"] += max(n(counters, "notExecuted"),
                          n(counters, "total") - n(counters, "executed"),
                          not_executed_results)
print(tot["total"], tot["passed"], tot["failed"], tot["skipped"])
PY
    return 0
  fi
  # Fallback without python3: grep the Counters element attributes.
  local total=0 passed=0 failed=0 skipped=0 f line
  attr() {
    local v
    v="$(sed -n "s/.*[[:space:]]$1=\"\([0-9][0-9]*\)\".*/\1/p" <<<"$2")"
    echo "${v:-0}"
  }
  for f in "${files[@]}"; do
    line="$(tr '\n' ' ' <"$f" | grep -o '<Counters [^>]*>' | head -n1 || true)"
    [[ -z "$line" ]] && continue
    total=$(( total + $(attr total "$line") ))
    passed=$(( passed + $(attr passed "$line") ))
    failed=$(( failed + $(attr failed "$line") + $(attr error "$line") + $(attr timeout "$line") + $(attr aborted "$line") ))
    # skipped = max(notExecuted, total - executed); VSTest leaves notExecuted=0 for skips.
    local ne t e
    ne=$(attr notExecuted "$line"); t=$(attr total "$line"); e=$(attr executed "$line")
    (( t - e > ne )) && ne=$(( t - e ))
    skipped=$(( skipped + ne ))
  done
  echo "$total $passed $failed $skipped"
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
SLN="MediaForge.Credits.sln"
if [[ ! -f "$SLN" && -f "MediaForge.Credits.slnx" ]]; then
  SLN="MediaForge.Credits.slnx"
fi
[[ -f "$SLN" ]] || die "MediaForge.Credits.sln not found in $REPO_ROOT."

setup_postgres
setup_mariadb

if [[ -d "$REPO_ROOT/tests/MediaForge.Credits.Browser.Tests" ]]; then
  ensure_chromium
fi

rm -rf -- "$RESULTS"
mkdir -p -- "$RESULTS"

log "dotnet test $SLN -c Release $*"
DOTNET_RC=0
dotnet test "$SLN" -c Release --logger "trx;LogFilePrefix=results" --results-directory "$RESULTS" "$@" || DOTNET_RC=$?

# Stop the servers now so that nothing is printed after the totals line.
stop_mariadb || true
stop_postgres || true

TOTAL=0 PASSED=0 FAILED=0 SKIPPED=0
read -r TOTAL PASSED FAILED SKIPPED < <(sum_trx || echo "0 0 0 0") || true

RC=0
if [[ $DOTNET_RC -ne 0 ]]; then
  log "dotnet test exited with code $DOTNET_RC"
  RC=1
fi
if [[ "$TOTAL" -eq 0 ]]; then
  log "no test results found in $RESULTS (no TRX files or 0 tests) -- treating as failure"
  RC=1
fi
if [[ "$FAILED" -gt 0 ]]; then
  RC=1
fi
if [[ "$SKIPPED" -gt 0 && $IS_CI -eq 1 ]]; then
  log "$SKIPPED test(s) skipped; skipped tests are not allowed in CI"
  RC=1
fi

printf 'Tests: %s passed, %s failed, %s skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
exit "$RC"
