#!/usr/bin/env bash
# Throwaway MariaDB server helpers, sourced by scripts/test.sh after postgres-cluster.sh (whose pick_free_port it uses).
#
# The sourcing script sources scripts/script-env.sh (log, warn, die, IS_CI, IS_ROOT) and defines apt_install, and
# calls stop_databases_on_exit. Functions:
#   setup_mariadb  unless MEDIAFORGE_TEST_MARIADB is set: install mariadb-server when root and missing, start a server
#                  on a free 127.0.0.1 port, create a test user, export MEDIAFORGE_TEST_MARIADB
#   stop_mariadb   stops the server and deletes its directory (idempotent)
#   stop_databases_on_exit  stops MariaDB and PostgreSQL (postgres-cluster.sh) whenever the script ends, keeping its
#                  exit code (in place of stop_postgres_on_exit)
#
# The server runs without durability by default (tests need none; MARIADB_DURABILITY holds the server's durability
# options, which benchmarks/run.sh sets after sourcing) and with utf8mb4 as the default character set.
MARIADB_DURABILITY="--innodb-flush-log-at-trx-commit=0 --sync-binlog=0 --skip-log-bin"
MARIADB_TMP=""
MARIADB_PID=""
MARIADB_OS_USER=""

find_mariadbd() {
  command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]]
}

mariadbd_path() {
  command -v mariadbd 2>/dev/null || echo /usr/sbin/mariadbd
}

# Runs a command as the server's OS user (root: mysql, which the package creates).
as_mariadb() {
  if [[ $IS_ROOT -eq 1 ]]; then
    (cd "$MARIADB_TMP" && runuser -u "$MARIADB_OS_USER" -- "$@")
  else
    (cd "$MARIADB_TMP" && "$@")
  fi
}

# The client on the server's socket as its root (socket authentication: the OS user that runs the server).
mariadb_root() {
  as_mariadb mariadb --no-defaults --socket="$MARIADB_TMP/sock" -u "$MARIADB_OS_USER" "$@"
}

start_mariadb() {
  MARIADB_OS_USER="$(id -un)"
  [[ $IS_ROOT -eq 1 ]] && MARIADB_OS_USER="mysql"
  id -u "$MARIADB_OS_USER" >/dev/null 2>&1 || die "the OS user '$MARIADB_OS_USER' that runs MariaDB does not exist (the mariadb-server package creates it)."
  MARIADB_TMP="$(mktemp -d /tmp/mediaforge-mariadb.XXXXXX)"
  [[ $IS_ROOT -eq 1 ]] && chown "$MARIADB_OS_USER:$(id -gn "$MARIADB_OS_USER")" "$MARIADB_TMP"
  chmod 700 "$MARIADB_TMP"

  log "mariadb-install-db (user $MARIADB_OS_USER, dir $MARIADB_TMP)"
  if ! as_mariadb mariadb-install-db --no-defaults --user="$MARIADB_OS_USER" --datadir="$MARIADB_TMP/data" \
        --auth-root-authentication-method=socket --skip-test-db >"$MARIADB_TMP/install.log" 2>&1; then
    sed 's/^/    mariadb-install-db: /' "$MARIADB_TMP/install.log" >&2 || true
    die "mariadb-install-db failed. Fix the error above, or set MEDIAFORGE_TEST_MARIADB to a connection string of a running MariaDB server."
  fi

  local port
  port="$(pick_free_port)" || die "could not find a free TCP port on 127.0.0.1 for MariaDB."
  log "starting MariaDB on 127.0.0.1:$port"
  # shellcheck disable=SC2086 # MARIADB_DURABILITY is a list of options
  as_mariadb "$(mariadbd_path)" --no-defaults --user="$MARIADB_OS_USER" --datadir="$MARIADB_TMP/data" \
    --socket="$MARIADB_TMP/sock" --pid-file="$MARIADB_TMP/pid" --port="$port" --bind-address=127.0.0.1 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci --max-connections=500 \
    $MARIADB_DURABILITY --innodb-buffer-pool-size=256M \
    >"$MARIADB_TMP/server.log" 2>&1 &
  MARIADB_PID=$!

  wait_until_ready "MariaDB on 127.0.0.1:$port" "$MARIADB_TMP/server.log" "$MARIADB_PID" mariadb_root -e "SELECT 1"

  local password="mf_$RANDOM$RANDOM"
  mariadb_root -e "CREATE USER 'mediaforge'@'localhost' IDENTIFIED BY '$password';
    CREATE USER 'mediaforge'@'127.0.0.1' IDENTIFIED BY '$password';
    GRANT ALL PRIVILEGES ON *.* TO 'mediaforge'@'localhost';
    GRANT ALL PRIVILEGES ON *.* TO 'mediaforge'@'127.0.0.1';" || die "could not create the MariaDB test user."

  export MEDIAFORGE_TEST_MARIADB="Server=127.0.0.1;Port=$port;User=mediaforge;Password=$password;SslMode=Disabled;Maximum Pool Size=200"
  log "MariaDB ready on 127.0.0.1:$port"
}

setup_mariadb() {
  if [[ -n "${MEDIAFORGE_TEST_MARIADB:-}" ]]; then
    log "using MEDIAFORGE_TEST_MARIADB from the environment (no throwaway MariaDB started)"
    return 0
  fi
  if ! find_mariadbd; then
    if [[ $IS_ROOT -eq 1 ]]; then
      apt_install mariadb-server || warn "apt-get install mariadb-server failed"
    fi
    if ! find_mariadbd; then
      warn "mariadbd not found and it could not be installed: the MariaDB tests will FAIL."
      warn "Install it ('sudo apt-get install mariadb-server') or set MEDIAFORGE_TEST_MARIADB to a connection string"
      warn "(Server=...;Port=...;User=...;Password=...;SslMode=Disabled) of a user that may create databases."
      return 0
    fi
  fi
  start_mariadb
}

stop_mariadb() {
  if [[ -n "$MARIADB_PID" ]]; then
    if kill -0 "$MARIADB_PID" 2>/dev/null; then
      local server
      server="$(head -n1 "$MARIADB_TMP/pid" 2>/dev/null || true)"
      mariadb_root -e "SHUTDOWN" >/dev/null 2>&1 || { [[ "$server" =~ ^[0-9]+$ ]] && kill -TERM "$server" 2>/dev/null; } || true
      local i
      for i in $(seq 1 30); do
        kill -0 "$MARIADB_PID" 2>/dev/null || break
        sleep 0.5
      done
      [[ "$server" =~ ^[0-9]+$ ]] && kill -KILL "$server" 2>/dev/null || true
    fi
    MARIADB_PID=""
  fi
  if [[ -n "$MARIADB_TMP" && -d "$MARIADB_TMP" ]]; then
    rm -rf -- "$MARIADB_TMP" || warn "could not delete $MARIADB_TMP"
    MARIADB_TMP=""
  fi
}

# Stops both servers whenever the calling script ends (normally, on error, Ctrl-C or TERM), keeping its exit code.
stop_databases_on_exit() {
  trap '_stop_databases_and_exit' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

_stop_databases_and_exit() {
  local rc=$?
  trap - EXIT INT TERM
  stop_mariadb || true
  stop_postgres || true
  exit "$rc"
}
