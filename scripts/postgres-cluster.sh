#!/usr/bin/env bash
# Throwaway PostgreSQL cluster helpers, sourced by scripts/test.sh and benchmarks/run.sh.
#
# The sourcing script sources scripts/script-env.sh (log, warn, die, IS_CI, IS_ROOT), defines apt_install, and installs its own EXIT trap that
# calls stop_postgres. Functions:
#   find_pg_bin     sets PG_BIN to a directory with initdb and pg_ctl
#   start_postgres  initdb + pg_ctl start on a free 127.0.0.1 port as a non-root user; exports MEDIAFORGE_TEST_POSTGRES
#   setup_postgres  start_postgres unless MEDIAFORGE_TEST_POSTGRES is already set (tests)
#   stop_postgres   stops the cluster and deletes its directory (idempotent)
#
# PG_DURABILITY holds the server's durability settings. The default suits tests (no fsync: fast, and a throwaway
# cluster needs no crash safety); benchmarks/run.sh sets it after sourcing to "-c fsync=on -c synchronous_commit=on -c full_page_writes=on".
PG_BIN=""
PG_TMP=""
PG_OS_USER=""
PG_STARTED=0
CLEANED_UP=0
PG_DURABILITY="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"

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

# Stops the cluster whenever the calling script ends (normally, on error, Ctrl-C or TERM), keeping its exit code.
stop_postgres_on_exit() {
  trap '_stop_postgres_and_exit' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

_stop_postgres_and_exit() {
  local rc=$?
  trap - EXIT INT TERM
  stop_postgres || true
  exit "$rc"
}

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

# Whether the server on 127.0.0.1:PORT accepts connections (pg_isready, else a TCP connect).
postgres_answers() {
  local isready="$PG_BIN/pg_isready"
  [[ -x "$isready" ]] || isready="$(command -v pg_isready 2>/dev/null || true)"
  if [[ -n "$isready" ]]; then
    "$isready" -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -t 2
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1")
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
         -o "$PG_DURABILITY -c max_connections=300 -c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$PG_TMP'" \
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

  wait_until_ready "PostgreSQL on 127.0.0.1:$port" "$PG_TMP/postgres.log" "" postgres_answers "$port"

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
