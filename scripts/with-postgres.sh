#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh <command> [args...]
#
# Starts a throwaway PostgreSQL cluster (listening on 127.0.0.1 only, on a free
# port, trust auth for user "postgres"), runs <command> with TEST_DATABASE_URL
# exported, then stops the cluster and deletes its directory - also when the
# command fails or the script is interrupted. Exits with the command's exit code.
#
# For tests that restart or stop PostgreSQL it also exports TEST_PG_CTL (the
# pg_ctl binary; initdb and the rest are beside it), TEST_PG_DATA and
# TEST_PG_LOG (this cluster's data directory and server log) and TEST_PG_USER
# (the OS user PostgreSQL runs as: run pg_ctl as that user, with runuser when
# root). A test that restarts a cluster should start its own from TEST_PG_CTL
# rather than restart this one, which other test files use at the same time.
#
# When run as root, the PostgreSQL binaries run as the "postgres" OS user
# (PostgreSQL refuses to run as root); otherwise they run as the current user.
set -euo pipefail

log() { echo "[with-postgres] $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

is_root=false
[ "$(id -u)" -eq 0 ] && is_root=true

# --- locate (or install) the PostgreSQL server binaries ---------------------
find_pgbin() {
  local initdb_path dir
  if initdb_path="$(command -v initdb 2>/dev/null)"; then
    # /usr/local/bin/initdb may be a symlink into /usr/lib/postgresql/N/bin.
    dirname "$(readlink -f "$initdb_path")"
    return 0
  fi
  for dir in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$dir/initdb" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if ! PGBIN="$(find_pgbin)"; then
  log "initdb not found; installing PostgreSQL with apt-get"
  sudo_cmd=()
  if ! $is_root; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo_cmd=(sudo -n)
    else
      die "initdb not found and not root (no passwordless sudo); install PostgreSQL first"
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  { "${sudo_cmd[@]}" apt-get update && "${sudo_cmd[@]}" apt-get install -y postgresql-15; } ||
    "${sudo_cmd[@]}" apt-get install -y postgresql ||
    die "apt-get install of PostgreSQL failed"
  PGBIN="$(find_pgbin)" || die "PostgreSQL installed but initdb still not found"
fi
[ -x "$PGBIN/pg_ctl" ] || die "pg_ctl not found next to initdb in $PGBIN"

# --- run server binaries as the right OS user --------------------------------
if $is_root; then
  if ! id -u postgres >/dev/null 2>&1; then
    log "creating system user 'postgres'"
    useradd --system --no-create-home --shell /bin/sh postgres 2>/dev/null ||
      adduser --system --group --no-create-home postgres >/dev/null ||
      die "could not create the 'postgres' OS user"
  fi
  as_pg() {
    # cd into the temp dir: PostgreSQL tools fail if the cwd is not readable
    # by the user they run as.
    if command -v runuser >/dev/null 2>&1; then
      (cd "$TMP" && runuser -u postgres -- "$@")
    else
      (cd "$TMP" && su postgres -s /bin/sh -c "$(printf '%q ' "$@")")
    fi
  }
else
  as_pg() { (cd "$TMP" && "$@"); }
fi

# --- pick a free TCP port on 127.0.0.1 ----------------------------------------
port_is_free() {
  # Free if nothing accepts a connection on it.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
  local p
  if command -v node >/dev/null 2>&1; then
    p="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})' 2>/dev/null)" &&
      [ -n "$p" ] && { echo "$p"; return 0; }
  fi
  if command -v python3 >/dev/null 2>&1; then
    p="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()' 2>/dev/null)" &&
      [ -n "$p" ] && { echo "$p"; return 0; }
  fi
  for ((p = 55432; p < 55532; p++)); do
    if port_is_free "$p"; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# --- cleanup (always) ---------------------------------------------------------
TMP=""
DATA=""
started=false

cleanup() {
  local rc=$?
  trap '' INT TERM HUP
  if [ -n "$DATA" ] && [ -f "$DATA/postmaster.pid" ]; then
    log "stopping PostgreSQL"
    if ! as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1; then
      as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
    fi
    # Last resort: kill the postmaster directly.
    if [ -f "$DATA/postmaster.pid" ]; then
      local pid
      pid="$(head -n1 "$DATA/postmaster.pid" 2>/dev/null || true)"
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        log "postmaster $pid still running; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 1
      fi
    fi
  elif $started; then
    log "PostgreSQL already stopped"
  fi
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    rm -rf -- "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- create the cluster -------------------------------------------------------
if $is_root; then
  # Must be traversable by the postgres user, so don't follow root's TMPDIR.
  TMP="$(mktemp -d /tmp/with-postgres.XXXXXX)"
  chown postgres: "$TMP"
else
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/with-postgres.XXXXXX")"
fi
chmod 700 "$TMP"
DATA="$TMP/data"
LOGFILE="$TMP/postgres.log"

log "initdb in $TMP ($("$PGBIN/postgres" --version))"
if ! as_pg "$PGBIN/initdb" -D "$DATA" --username=postgres --auth=trust \
  --encoding=UTF8 --locale=C --no-sync >"$TMP/initdb.log" 2>&1; then
  cat "$TMP/initdb.log" >&2
  DATA="" # nothing to stop
  die "initdb failed"
fi

PORT="$(pick_port)" || die "could not find a free port"

cat >>"$DATA/postgresql.conf" <<EOF

# --- added by scripts/with-postgres.sh ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$TMP'
max_connections = 200
shared_buffers = 128MB
EOF

log "starting PostgreSQL on 127.0.0.1:$PORT"
started=true
if ! as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 30 start >/dev/null 2>&1; then
  log "pg_ctl start failed; server log:"
  tail -n 50 "$LOGFILE" >&2 || true
  exit 1
fi

# --- wait until it accepts connections (bounded) ------------------------------
PG_ISREADY=""
if [ -x "$PGBIN/pg_isready" ]; then
  PG_ISREADY="$PGBIN/pg_isready"
elif command -v pg_isready >/dev/null 2>&1; then
  PG_ISREADY="$(command -v pg_isready)"
fi
ready=false
for _ in $(seq 1 60); do
  if [ -n "$PG_ISREADY" ]; then
    "$PG_ISREADY" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres && { ready=true; break; }
  elif command -v psql >/dev/null 2>&1; then
    psql -qAt -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c 'select 1' >/dev/null 2>&1 && { ready=true; break; }
  else
    # No client tools: pg_ctl -w already waited for readiness.
    ready=true
    break
  fi
  sleep 0.5
done
if ! $ready; then
  log "PostgreSQL did not become ready within 30 s; server log:"
  tail -n 50 "$LOGFILE" >&2 || true
  exit 1
fi

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export TEST_PG_CTL="$PGBIN/pg_ctl"
export TEST_PG_DATA="$DATA"
export TEST_PG_LOG="$LOGFILE"
if $is_root; then TEST_PG_USER=postgres; else TEST_PG_USER="$(id -un)"; fi
export TEST_PG_USER
log "ready: TEST_DATABASE_URL=$TEST_DATABASE_URL (pg_ctl: $TEST_PG_CTL, data: $TEST_PG_DATA, as $TEST_PG_USER)"
log "running: $*"

set +e
"$@"
rc=$?
set -e
log "command exited with code $rc"
exit "$rc"
