#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for lesson 09 and its tests, and say how to reach it.
#
#     eval "$(bash .ci/postgres.sh)"     # sets DATABASE_URL, COURSE_DATABASE_URL, TEST_DATABASE_URL, TEST_HOSTILE_DATABASE_URL
#
# It installs Debian's `postgresql` package when no server is installed (as root), creates a
# cluster in $COURSE_PG_DIR (default /tmp/fastapi-course-postgres) that listens on 127.0.0.1 only,
# on a free port, and creates the role `course` with the databases `course` (for the notebook),
# `course_test` (for tests/test_database.py) and `course_hostile` (for tests/test_hostile_input.py), with a password drawn at random when the
# cluster is created. DATABASE_URL and COURSE_DATABASE_URL (the variable lesson 09's notebook
# reads) both name `course`. Only the `export` lines go to stdout; everything else goes to stderr.
# Running it again reuses the running server (or the cluster on disk) and prints the same lines,
# so it is idempotent and takes about a second. When no server can be installed or started it says why on stderr and exits 1.
set -euo pipefail

STATE_DIR="${COURSE_PG_DIR:-/tmp/fastapi-course-postgres}"
DATA_DIR="$STATE_DIR/data"
SOCKET_DIR="$STATE_DIR/socket"
LOG_FILE="$STATE_DIR/server.log"
ROLE=course
DATABASES=(course course_test course_hostile item_store_test item_store_migrations)

say() { echo "postgres.sh: $*" >&2; }
fail() {
    say "$*"
    say "no PostgreSQL server: the PostgreSQL part of the tests cannot run."
    exit 1
}

find_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [[ -n "$dir" && -x "$dir/initdb" ]]; then
        echo "$dir"
    elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v initdb)"
    fi
}

BIN="$(find_bin)"
if [[ -z "$BIN" ]]; then
    [[ "$(id -u)" == 0 ]] || fail "PostgreSQL is not installed, and installing it needs root (apt-get install postgresql)."
    command -v apt-get >/dev/null || fail "PostgreSQL is not installed and this machine has no apt-get."
    say "installing Debian's postgresql package…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || fail "apt-get update failed."
    apt-get install -y -qq postgresql >&2 || fail "apt-get install postgresql failed."
    BIN="$(find_bin)"
    [[ -n "$BIN" ]] || fail "the postgresql package installed no initdb."
fi

# The server refuses to run as root: as root, run it as the `postgres` user the package created.
if [[ "$(id -u)" == 0 ]]; then
    getent passwd postgres >/dev/null || fail "there is no 'postgres' user to run the server as."
    OWNER=postgres
    STOP_HINT="runuser -u postgres -- "
    as_owner() { runuser -u postgres -- "$@"; }
else
    OWNER="$(id -un)"
    STOP_HINT=""
    as_owner() { "$@"; }
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

configured_port() { sed -n "s/^port = \([0-9]*\).*/\1/p" "$DATA_DIR/postgresql.conf" 2>/dev/null | tail -n 1; }

# Running means answering: a postmaster killed with -9 can leave a pid file, or a zombie.
running() {
    local port
    port="$(configured_port)"
    [[ -n "$port" ]] && "$BIN/pg_isready" -q -h "$SOCKET_DIR" -p "$port" -t 2
}

init_cluster() {
    rm -rf "$STATE_DIR"
    mkdir -p "$DATA_DIR" "$SOCKET_DIR"
    chmod 700 "$DATA_DIR"
    chown -R "$OWNER" "$STATE_DIR"
    as_owner "$BIN/initdb" --pgdata="$DATA_DIR" --username="$OWNER" --auth-local=peer \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$STATE_DIR/initdb.log" 2>&1 \
        || { cat "$STATE_DIR/initdb.log" >&2; return 1; }
    set_port "$(free_port)"
}

set_port() {
    as_owner tee -a "$DATA_DIR/postgresql.conf" >/dev/null <<EOF
# fastapi-course: a throwaway server, on the loopback address only
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '$SOCKET_DIR'
synchronous_commit = off
max_connections = 100
EOF
}

start_server() {
    as_owner "$BIN/pg_ctl" start -D "$DATA_DIR" -l "$LOG_FILE" -w -t 30 >/dev/null 2>&1
}

if running; then
    say "reusing the server already running from $STATE_DIR"
else
    as_owner "$BIN/pg_ctl" stop -D "$DATA_DIR" -m immediate -t 5 >/dev/null 2>&1 || true
    if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
        say "creating a cluster in $STATE_DIR"
        init_cluster || fail "initdb failed (see above)."
    fi
    if ! start_server; then
        say "the server did not start on port $(configured_port); trying another port"
        set_port "$(free_port)"
        if ! start_server; then
            say "it did not start again; creating a new cluster"
            init_cluster || fail "initdb failed (see above)."
            start_server || { tail -n 20 "$LOG_FILE" >&2 || true; fail "the server did not start (its log is above)."; }
        fi
    fi
    say "server started"
fi

PORT="$(configured_port)"
[[ -n "$PORT" ]] || fail "no port in $DATA_DIR/postgresql.conf."
# The password is drawn when the cluster is created and kept beside it (readable by its creator
# only), so that running this script again leaves earlier DATABASE_URLs valid.
PASSWORD_FILE="$STATE_DIR/password"
if [[ ! -s "$PASSWORD_FILE" ]]; then
    (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$PASSWORD_FILE")
fi
PASSWORD="$(cat "$PASSWORD_FILE")"

psql_admin() { as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U "$OWNER" "$@"; }

psql_admin -d postgres -v role="$ROLE" >/dev/null <<SQL || fail "could not create the role."
\\set password '$PASSWORD'
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') AS missing \\gset
\\if :missing
CREATE ROLE :"role" LOGIN;
\\endif
ALTER ROLE :"role" PASSWORD :'password';
SQL

for database in "${DATABASES[@]}"; do
    psql_admin -d postgres -v role="$ROLE" -v db="$database" >/dev/null <<'SQL' || fail "could not create the database $database."
SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') AS missing \gset
\if :missing
CREATE DATABASE :"db" OWNER :"role";
\endif
SQL
done

PGPASSWORD="$PASSWORD" "$BIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d "${DATABASES[0]}" -c "SELECT 1" >/dev/null 2>&1 \
    || fail "the role cannot log in over TCP on 127.0.0.1:$PORT."

say "ready on 127.0.0.1 (role $ROLE, databases ${DATABASES[*]}); stop it with: ${STOP_HINT}$BIN/pg_ctl stop -D $DATA_DIR"
echo "export DATABASE_URL='postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/${DATABASES[0]}'"
echo "export COURSE_DATABASE_URL='postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/${DATABASES[0]}'"
echo "export TEST_DATABASE_URL='postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/${DATABASES[1]}'"
echo "export TEST_HOSTILE_DATABASE_URL='postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/${DATABASES[2]}'"
echo "export ITEM_STORE_TEST_DATABASE_URL='postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/${DATABASES[3]}'"
echo "export ITEM_STORE_MIGRATIONS_DATABASE_URL='postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/${DATABASES[4]}'"
