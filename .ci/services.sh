#!/usr/bin/env bash
# Services for the tests: PostgreSQL on loopback, headless Chromium (Debian), a local Ray head.
#
# Usage (as .ci/run does):   eval "$(bash .ci/services.sh)"
# Prints only `export INFRAPLAN_TEST_POSTGRES_URL=...` (and INFRAPLAN_RAY_ADDRESS) on stdout; everything else goes to
# stderr. Idempotent: installs what is missing, reuses a running server. Never fatal:
# on any failure it warns on stderr and the tests that need the service skip.
set -u
warn() { echo "services.sh: warning: $*" >&2; }
say() { echo "services.sh: $*" >&2; }

PG_PORT="${INFRAPLAN_PG_PORT:-55432}"
PG_ROOT="${INFRAPLAN_PG_ROOT:-/var/tmp/infraplan-pg}"
PG_DB=infraplan_test
PG_USER=infraplan
PG_PASSWORD=infraplan

# -- packages ----------------------------------------------------------------------------
need=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || need+=(chromium)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
# Hangul in the browser tests' screenshots (the pages name "Noto Sans CJK KR" first)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${need[*]}"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
              "${need[@]}"; } >&2 2>&1; then
      warn "apt-get install ${need[*]} failed"
    fi
  else
    warn "cannot install ${need[*]} (not root or no apt-get)"
  fi
fi

# -- PostgreSQL: a private cluster on 127.0.0.1:$PG_PORT -----------------------------------
start_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || { warn "PostgreSQL binaries not found"; return 1; }
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { warn "no postgres system user"; return 1; }
    as=(runuser -u postgres --)
    mkdir -p "$PG_ROOT" && chown postgres "$PG_ROOT"
  else
    mkdir -p "$PG_ROOT"
  fi
  local data="$PG_ROOT/data"
  if [ ! -s "$data/PG_VERSION" ]; then
    say "initdb $data"
    "${as[@]}" "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 >&2 \
      || { warn "initdb failed"; return 1; }
  fi
  if ! "${as[@]}" "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; then
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$PG_ROOT/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_ROOT -c fsync=off" >&2 \
      || { warn "PostgreSQL did not start (see $PG_ROOT/server.log)"; return 1; }
  fi
  local psql=("${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='$PG_USER'" postgres)" != 1 ]; then
    "${psql[@]}" -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'" postgres >&2 \
      || { warn "cannot create role"; return 1; }
  fi
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='$PG_DB'" postgres)" != 1 ]; then
    "${psql[@]}" -c "CREATE DATABASE $PG_DB OWNER $PG_USER" postgres >&2 \
      || { warn "cannot create database"; return 1; }
  fi
  return 0
}

if start_postgres; then
  echo "export INFRAPLAN_TEST_POSTGRES_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
else
  warn "PostgreSQL not available: the PostgreSQL storage tests will skip"
fi

# -- Ray: a local head on loopback for the risk test that runs through a cluster ------------
RAY_PORT="${INFRAPLAN_RAY_PORT:-6391}"
if command -v ray >/dev/null 2>&1; then
  if ray start --head --node-ip-address=127.0.0.1 --port="$RAY_PORT" --num-cpus=2 \
       --include-dashboard=false --disable-usage-stats >&2 2>&1 \
     || ray status --address="127.0.0.1:$RAY_PORT" >/dev/null 2>&1; then
    echo "export INFRAPLAN_RAY_ADDRESS=127.0.0.1:$RAY_PORT"
  else
    warn "Ray head did not start: the Ray risk test will skip"
  fi
else
  warn "ray not installed (pip install -e '.[ray]'): the Ray risk test will skip"
fi
exit 0
