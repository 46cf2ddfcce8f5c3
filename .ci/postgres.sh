# shellcheck shell=bash
# Source this file: it starts a throwaway PostgreSQL cluster for the database tests and
# exports NQPF_TEST_PG_URL (and NQPF_REQUIRE_PG=1, so the tests fail rather than skip if
# PostgreSQL is missing). The cluster lives in a temporary folder, listens only on a unix
# socket there, and is stopped and removed when the calling shell exits.
# Installs Debian's postgresql if no server binaries are present.

nqpf_pg_bin() {
    find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(nqpf_pg_bin)" ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi
NQPF_PG_BIN="$(nqpf_pg_bin)"
NQPF_PG_DIR="$(mktemp -d /tmp/nqpf-pg.XXXXXX)"
# initdb refuses to run as root: run the server as the postgres user then.
NQPF_PG_AS=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$NQPF_PG_DIR"
    NQPF_PG_AS=(runuser -u postgres --)
fi
"${NQPF_PG_AS[@]}" "$NQPF_PG_BIN/initdb" -D "$NQPF_PG_DIR/data" -U postgres -A trust -E UTF8 \
    --no-sync >"$NQPF_PG_DIR/initdb.log"
"${NQPF_PG_AS[@]}" "$NQPF_PG_BIN/pg_ctl" -D "$NQPF_PG_DIR/data" -l "$NQPF_PG_DIR/server.log" -w \
    -o "-k $NQPF_PG_DIR -c listen_addresses= -c fsync=off -c full_page_writes=off" start >/dev/null

nqpf_pg_stop() {
    "${NQPF_PG_AS[@]}" "$NQPF_PG_BIN/pg_ctl" -D "$NQPF_PG_DIR/data" -m fast -w stop >/dev/null || true
    rm -rf "$NQPF_PG_DIR"
}
trap nqpf_pg_stop EXIT

export NQPF_TEST_PG_URL="postgresql+psycopg://postgres@/postgres?host=$NQPF_PG_DIR"
export NQPF_REQUIRE_PG=1
