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
IS_CI=0
[[ "${CI:-}" == "true" ]] && IS_CI=1
IS_ROOT=0
[[ "$(id -u)" == "0" ]] && IS_ROOT=1

log()  { printf '[test.sh] %s\n' "$*" >&2; }
warn() { printf '[test.sh] WARNING: %s\n' "$*" >&2; }
die()  { printf '[test.sh] ERROR: %s\n' "$*" >&2; exit 1; }

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
PG_BIN=""
PG_TMP=""
PG_OS_USER=""
PG_STARTED=0
CLEANED_UP=0

# Sets PG_BIN to a directory containing initdb and pg_ctl (PATH first, then
# the newest /usr/lib/postgresql/*/bin). Returns 1 if none found.
find_pg_bin() {
  PG_BIN=""
  local p dir
  if p="$(command -v initdb 2>/dev/null)" && [[ -n "$p" ]]; then
    dir="$(dirname -- "$(readlink -f -- "$p")")"
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      PG_BIN="$dir"; return 0
    fi
  fi
  local candidates=()
  shopt -s nullglob
  for dir in /usr/lib/postgresql/*/bin; do candidates+=("$dir"); done
  shopt -u nullglob
  if [[ ${#candidates[@]} -gt 0 ]]; then
    while IFS= read -r dir; do
      if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
        PG_BIN="$dir"; return 0
      fi
    done < <(printf '%s\n' "${candidates[@]}" | sort -rV)
  fi
  return 1
}

# Runs a command as the PostgreSQL OS user (root: via runuser/setpriv),
# from inside the cluster's temp dir so an unreadable cwd does not matter.
as_pg() {
  if [[ $IS_ROOT -eq 1 ]]; then
    if command -v runuser >/dev/null 2>&1; then
      (cd "$PG_TMP" && runuser -u "$PG_OS_USER" -- "$@")
    else
      (cd "$PG_TMP" && setpriv --reuid="$PG_OS_USER" --regid="$(id -g "$PG_OS_USER")" --init-groups -- "$@")
    fi
  else
    (cd "$PG_TMP" && "$@")
  fi
}

pick_free_port() {
  local port
  if command -v python3 >/dev/null 2>&1 &&
     port="$(python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' 2>/dev/null)" && [[ "$port" =~ ^[0-9]+$ ]]; then
    echo "$port"; return 0
  fi
  local i
  for i in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return 0
    fi
  done
  return 1
}

stop_postgres() {
  [[ $CLEANED_UP -eq 1 ]] && return 0
  CLEANED_UP=1
  if [[ $PG_STARTED -eq 1 && -n "$PG_TMP" && -d "$PG_TMP/data" ]]; then
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w -t 15 stop >/dev/null 2>&1; then
      # Last resort: kill the postmaster by its pid file.
      local pid
      pid="$(head -n1 "$PG_TMP/data/postmaster.pid" 2>/dev/null || true)"
      if [[ "$pid" =~ ^[0-9]+$ ]]; then
        kill -QUIT "$pid" 2>/dev/null || true
        sleep 1
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
    PG_STARTED=0
  fi
  if [[ -n "$PG_TMP" && -d "$PG_TMP" ]]; then
    rm -rf -- "$PG_TMP" || warn "could not delete $PG_TMP"
  fi
}

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  stop_postgres || true
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pick_pg_os_user() {
  if [[ $IS_ROOT -eq 0 ]]; then
    PG_OS_USER="$(id -un)"; return 0
  fi
  if id -u postgres >/dev/null 2>&1; then
    PG_OS_USER="postgres"
  else
    if ! id -u mfpg >/dev/null 2>&1; then
      log "creating system user mfpg to run PostgreSQL"
      useradd --system --no-create-home --shell /usr/sbin/nologin mfpg >&2 ||
        useradd -r -M mfpg >&2 ||
        die "could not create system user 'mfpg' to run PostgreSQL (PostgreSQL refuses to run as root)."
    fi
    PG_OS_USER="mfpg"
  fi
}

start_postgres() {
  pick_pg_os_user

  local base="${TMPDIR:-/tmp}"
  [[ $IS_ROOT -eq 1 ]] && base="/tmp"  # must be traversable by the PG user
  PG_TMP="$(mktemp -d "$base/mediaforge-pg.XXXXXX")"
  if [[ $IS_ROOT -eq 1 ]]; then
    chown "$PG_OS_USER:$(id -gn "$PG_OS_USER")" "$PG_TMP"
  fi
  chmod 700 "$PG_TMP"
  as_pg test -w "$PG_TMP" || die "PostgreSQL user '$PG_OS_USER' cannot write to $PG_TMP."

  local locale="C"
  if command -v locale >/dev/null 2>&1 && locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
    locale="C.UTF-8"
  fi

  log "initdb ($PG_BIN, user $PG_OS_USER, dir $PG_TMP)"
  if ! as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" --auth=trust -U postgres --encoding=UTF8 \
        --locale="$locale" --no-sync >"$PG_TMP/initdb.log" 2>&1; then
    sed 's/^/    initdb: /' "$PG_TMP/initdb.log" >&2 || true
    die "initdb failed; cannot create the throwaway PostgreSQL cluster. Fix the error above, or set MEDIAFORGE_TEST_POSTGRES to an Npgsql connection string of a running PostgreSQL server."
  fi

  local attempt port=""
  for attempt in 1 2 3; do
    port="$(pick_free_port)" || die "could not find a free TCP port on 127.0.0.1 for PostgreSQL."
    log "starting PostgreSQL on 127.0.0.1:$port (attempt $attempt)"
    PG_STARTED=1  # from here on a (partial) server may exist; cleanup tries to stop it
    if as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/postgres.log" -w -t 30 \
         -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$PG_TMP'" \
         start >"$PG_TMP/pg_ctl.log" 2>&1; then
      break
    fi
    if grep -qi 'address already in use' "$PG_TMP/postgres.log" 2>/dev/null && [[ $attempt -lt 3 ]]; then
      as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
      : >"$PG_TMP/postgres.log"
      continue
    fi
    sed 's/^/    pg_ctl: /' "$PG_TMP/pg_ctl.log" >&2 || true
    tail -n 30 "$PG_TMP/postgres.log" 2>/dev/null | sed 's/^/    postgres: /' >&2 || true
    die "could not start the throwaway PostgreSQL cluster (see log above). Fix the error, or set MEDIAFORGE_TEST_POSTGRES to an Npgsql connection string of a running PostgreSQL server."
  done

  local isready="$PG_BIN/pg_isready"
  [[ -x "$isready" ]] || isready="$(command -v pg_isready 2>/dev/null || true)"
  local ready=0 i
  for i in $(seq 1 60); do
    if [[ -n "$isready" ]]; then
      if "$isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 2 >/dev/null 2>&1; then
        ready=1; break
      fi
    elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      ready=1; break
    fi
    sleep 0.5
  done
  if [[ $ready -ne 1 ]]; then
    tail -n 30 "$PG_TMP/postgres.log" 2>/dev/null | sed 's/^/    postgres: /' >&2 || true
    die "PostgreSQL on 127.0.0.1:$port did not become ready within ~30 s (see log above)."
  fi

  export MEDIAFORGE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=200"
  log "PostgreSQL ready: $MEDIAFORGE_TEST_POSTGRES"
}

setup_postgres() {
  if [[ -n "${MEDIAFORGE_TEST_POSTGRES:-}" ]]; then
    log "using MEDIAFORGE_TEST_POSTGRES from the environment (no throwaway cluster started)"
    return 0
  fi
  if ! find_pg_bin; then
    if [[ $IS_CI -eq 1 ]]; then
      if [[ $IS_ROOT -eq 1 ]]; then
        apt_install postgresql-15 || warn "apt-get install postgresql-15 failed"
      fi
      find_pg_bin || die "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin, and could not be installed. Install PostgreSQL 15 (apt-get install postgresql-15) or set MEDIAFORGE_TEST_POSTGRES to an Npgsql connection string."
    else
      warn "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin."
      warn "PostgreSQL-backed tests will FAIL. Install PostgreSQL 15 (e.g. 'sudo apt-get install postgresql-15')"
      warn "or set MEDIAFORGE_TEST_POSTGRES to an Npgsql connection string of a running server."
      return 0
    fi
  fi
  start_postgres
}

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

if [[ -d "$REPO_ROOT/tests/MediaForge.Credits.Browser.Tests" ]]; then
  ensure_chromium
fi

rm -rf -- "$RESULTS"
mkdir -p -- "$RESULTS"

log "dotnet test $SLN -c Release $*"
DOTNET_RC=0
dotnet test "$SLN" -c Release --logger "trx;LogFilePrefix=results" --results-directory "$RESULTS" "$@" || DOTNET_RC=$?

# Stop the cluster now so that nothing is printed after the totals line.
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
