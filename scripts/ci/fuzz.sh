#!/usr/bin/env bash
# Fuzz /api/v1/ with schemathesis on PostgreSQL: no input may get a 5xx.
#
#   scripts/ci/fuzz.sh [DATABASE_NAME]        (default xuebi_fuzz; dropped and created again)
#
# Loads the demo into a throwaway database, serves it with gunicorn on a free port of 127.0.0.1,
# makes API tokens for `league` (盟级管理员, sees and may change everything), `cadre` (干部) and
# `sysadmin` (系统管理员: the only one past the 403 of /accounts and /account-openings),
# and runs schemathesis against /api/v1/openapi.json once per token: every operation, writes
# included, in positive and negative modes, a bounded number of cases per operation and a fixed
# seed, so a run is repeatable and takes a few minutes. The only check is not_a_server_error.
# Exits non-zero on any 5xx (or when the server cannot be started).
#
# FUZZ_EXAMPLES (cases per operation and phase, default 10; with the coverage phase that is about 60 cases per operation, 4,000 per token) and FUZZ_SEED (default 12) can be set;
# FUZZ_PHASES (default examples,coverage,fuzzing) selects schemathesis' phases.
# One schemathesis worker: with two, hypothesis 6.170 (installed fresh in December 2026) describes
# its lambdas by parsing source with ``ast`` from two threads at once, and CPython 3.11's AST
# constructor is not thread-safe ("AST constructor recursion depth mismatch"), which schemathesis
# reports as a Runtime Error — a failure of the tool, not of xuebi, that failed the run.
set -uo pipefail
cd "$(dirname "$0")/../.."

DB="${1:-xuebi_fuzz}"
EXAMPLES="${FUZZ_EXAMPLES:-10}"
SEED="${FUZZ_SEED:-12}"
PHASES="${FUZZ_PHASES:-examples,coverage,fuzzing}"
PG="postgresql://postgres@127.0.0.1:5432"
BIN="$PWD/.venv/bin"
export XUEBI_DATABASE_URL="$PG/$DB" XUEBI_DATA_DIR="$PWD/var/fuzz" XUEBI_DEMO=1 PYTHONUNBUFFERED=1
REPORTS="${XUEBI_ARTIFACTS:-$PWD/test-artifacts}/fuzz"
mkdir -p "$XUEBI_DATA_DIR" "$REPORTS"

[ -x "$BIN/schemathesis" ] || { echo "schemathesis is missing: make install (it is in the test extras)"; exit 1; }

echo "--- database $DB: created again, migrated, demo loaded"
PGOPTIONS="-c client_min_messages=warning" psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS \"$DB\"" -c "CREATE DATABASE \"$DB\"" || exit 1
$BIN/xuebi migrate --no-input -v 0 || exit 1
$BIN/xuebi demo >/dev/null || exit 1

PORT=$($BIN/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG="$REPORTS/server.log"
$BIN/gunicorn xuebi.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 120 \
  --access-logfile - --error-logfile - >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null' EXIT
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || { echo "the server did not start:"; cat "$LOG"; exit 1; }
  sleep 1
done

status=0
for user in league cadre sysadmin; do
  TOKEN=$($BIN/xuebi token "$user" --name "fuzz") || exit 1
  echo "--- schemathesis as $user (seed $SEED, at most $EXAMPLES cases per operation and phase)"
  # from the data dir: schemathesis keeps a .schemathesis/ folder in its working directory
  (cd "$XUEBI_DATA_DIR" && "$BIN/schemathesis" run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error --mode all --phases "$PHASES" \
    --max-examples "$EXAMPLES" --seed "$SEED" --generation-database none \
    --workers 1 --request-timeout 60 --no-color --suppress-health-check all \
    --report junit --report-junit-path "$REPORTS/$user.xml") || status=1
done

fives=$(grep -cE '" 5[0-9][0-9] ' "$LOG")
echo "--- server answers 5xx: $fives (server log: $LOG)"
[ "$fives" -eq 0 ] || status=1
exit $status
