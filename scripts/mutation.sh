#!/usr/bin/env bash
# Mutation testing (Stryker.NET) of the money paths, against tests/MediaForge.Credits.Tests on SQLite and a
# throwaway PostgreSQL and MariaDB started as scripts/test.sh starts them. Not part of the README test command: on 2 cores a run
# of every money path takes hours.
#
#   scripts/mutation.sh [glob...]         e.g. scripts/mutation.sh '**/Expiry/CreditLots.cs'
#   MUTATION_TEST_FILTER='FullyQualifiedName~LotOrderTests' scripts/mutation.sh '**/Expiry/CreditLots.cs'
#   MUTATION_PROJECT=aspnetcore scripts/mutation.sh       the add-on's money decisions (webhooks, RequireCredits)
#
# A glob may end in spans of the file, {from..to}, to mutate only there: Stryker counts them in characters from the
# file's start, not in lines (a span that covers line N runs from the offset of its first character to its last).
#
# Without globs it mutates what stryker-config.json lists. MUTATION_TEST_FILTER narrows the tests each mutant runs
# (a dotnet test filter); without it every test of the project that covers the mutant runs. The report lands in
# artifacts/mutation/<date>/reports (mutation-report.html, mutation-report.json) and the score is printed at the end.
#
# MUTATION_COVERAGE=off runs every filtered test against every mutant, instead of the tests Stryker saw cover it
# (perTest, the configuration's). Use it, with a narrow filter, for code that runs once and is cached: the Storage
# statement builders run when the first test builds its EF model, so per-test coverage credits them to that test alone.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"

LOG_TAG=mutation.sh
# shellcheck source=scripts/script-env.sh
source "$REPO_ROOT/scripts/script-env.sh"
apt_install() { warn "not installing $* (install PostgreSQL 15 server binaries and mariadb-server yourself)"; return 1; }

# shellcheck source=scripts/postgres-cluster.sh
source "$SCRIPT_DIR/postgres-cluster.sh"
# shellcheck source=scripts/mariadb-server.sh
source "$SCRIPT_DIR/mariadb-server.sh"
stop_databases_on_exit
setup_postgres
setup_mariadb

dotnet tool restore >&2

case "${MUTATION_PROJECT:-core}" in
  core)       CONFIG="$REPO_ROOT/stryker-config.json";            TESTS="$REPO_ROOT/tests/MediaForge.Credits.Tests" ;;
  aspnetcore) CONFIG="$REPO_ROOT/stryker-config.aspnetcore.json"; TESTS="$REPO_ROOT/tests/MediaForge.Credits.AspNetCore.Tests" ;;
  *)          die "MUTATION_PROJECT must be core or aspnetcore, not '$MUTATION_PROJECT'" ;;
esac

OUTPUT="$REPO_ROOT/artifacts/mutation/$(date -u +%Y%m%dT%H%M%SZ)"
if [[ -n "${MUTATION_COVERAGE:-}" ]]; then
  case "$MUTATION_COVERAGE" in
    off|all|perTest|perTestInIsolation) ;;
    *) die "MUTATION_COVERAGE must be off, all, perTest or perTestInIsolation, not '$MUTATION_COVERAGE'" ;;
  esac
  # dotnet stryker takes coverage analysis from its configuration file only: run a copy that says otherwise.
  mkdir -p "$OUTPUT"
  sed -E "s/\"coverage-analysis\": \"[A-Za-z]+\"/\"coverage-analysis\": \"$MUTATION_COVERAGE\"/" "$CONFIG" > "$OUTPUT/stryker-config.json"
  grep -q "\"coverage-analysis\": \"$MUTATION_COVERAGE\"" "$OUTPUT/stryker-config.json" || die "no coverage-analysis setting in $CONFIG"
  CONFIG="$OUTPUT/stryker-config.json"
fi

ARGS=(--config-file "$CONFIG" --output "$OUTPUT")
for glob in "$@"; do
  ARGS+=(--mutate "$glob")
done
if [[ -n "${MUTATION_TEST_FILTER:-}" ]]; then
  ARGS+=(--test-case-filter "$MUTATION_TEST_FILTER")
fi

# Stryker runs from the test project's folder (from the repository root it would see the solution and mutate every project).
cd "$TESTS"
log "dotnet stryker ${ARGS[*]}"
dotnet stryker "${ARGS[@]}"
