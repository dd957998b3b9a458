#!/usr/bin/env bash
# Start, stop and inspect the whole Easy Chat stack under one var directory:
# a private PostgreSQL cluster, Redis, lighttpd (which spawns the FastCGI
# programs) and the websocket relays. Loopback only; nothing outside VARDIR
# is touched except, when run as root, a system user "easychat" for
# PostgreSQL and the port reservations of --test runs (see PORT_RESV_DIR).
#
# Usage:
#   conf/stack.sh start VARDIR [--test]   build VARDIR/easychat.env, start all
#   conf/stack.sh stop VARDIR             stop what start started (pid files)
#   conf/stack.sh status VARDIR
#   conf/stack.sh pg-stop|pg-start VARDIR          (same port on restart)
#   conf/stack.sh redis-stop|redis-start VARDIR
#   conf/stack.sh relay-kill VARDIR I [SIGNAL]     (default KILL)
#   conf/stack.sh relay-start VARDIR I
#   conf/stack.sh deliver-kill|deliver-start VARDIR  the outbox deliverer
#   conf/stack.sh serve VARDIR            container mode: see cmd_serve
#   conf/stack.sh render-nginx OUTDIR     nginx site files for a system nginx
#                                         (see cmd_render_nginx)
#   conf/stack.sh routes                  which program serves which URLs
#   conf/stack.sh backup VARDIR [FILE]    database + media into one .tar.gz
#   conf/stack.sh restore VARDIR FILE     replace database + media from one
#   conf/stack.sh redis-primary|redis-kill-primary VARDIR    (TOPOLOGY=multi)
#   conf/stack.sh redis-node-start VARDIR main|replica       (TOPOLOGY=multi)
#   conf/stack.sh pg-replica-stop|pg-replica-start VARDIR    (TOPOLOGY=multi)
#
# TOPOLOGY=multi (start --test) builds what several hosts would run, on
# this box: Redis primary + replica + 3 sentinels, PostgreSQL primary +
# streaming replica + pgbouncer, two fronts, three relays
# (conf/stack-multi.sh; README "Scaling out").
#
# STACK_FSYNC=on keeps fsync on in a --test cluster (benchmarks of durable
# writes); by default test clusters skip it.
#
# FRONT=nginx (start) puts nginx in front, with the FastCGI programs under
# spawn-fcgi, instead of lighttpd (which spawns them itself).
# CGI_PROGRAMS="users ..." (start) runs those programs as plain CGI, one
# process per request: through mod_cgi under lighttpd, fcgiwrap under nginx.
#
# Environment: ENV_DIR (default env_files/dev) holds the *.env files that
# are concatenated into VARDIR/easychat.env, then VARDIR/local.env if it
# exists (your own overrides, never committed), then with --test free ports
# and test settings, then local.env once more (its lines win over those).
# BIN_DIR (default build/bin) holds easychat-{auth,users,groups,rooms,
# search,relay}. ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS are passed on
# to the programs. After start, VARDIR/stack.env has everything a test or a
# shell needs (`. VARDIR/stack.env`).
#
# Other environment variables such as DB_PORT are deliberately NOT read:
# a test that sourced one instance's stack.env must not redirect another.
#
# As root: PostgreSQL refuses to run as root, so initdb/pg_ctl run as the
# system user "easychat" (created once) and VARDIR/pg belongs to it; the
# other services run as the caller. As an ordinary user everything runs as
# that user and nothing needs privileges.
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true
# Debian installs lighttpd, nginx, fcgiwrap, runuser and useradd in
# /usr/sbin, which an ordinary user's PATH does not have.
PATH=$PATH:/usr/sbin:/sbin

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=/dev/null # its own file for shellcheck
. "$REPO/conf/stack-multi.sh"
PG_BIN=/usr/lib/postgresql/15/bin
PG_SYSTEM_USER=easychat
PROGRAMS=(auth users groups rooms search)
# Shared by all --test runs on this machine: one empty directory per port
# reserved by a run that has not stopped yet (mkdir is atomic).
PORT_RESV_DIR="${TMPDIR:-/tmp}/easychat-ports"
# How long to wait for a service to answer, in tenths of a second.
WAIT_TENTHS=300

log() { printf 'stack: %s\n' "$*"; }
warn() { printf 'stack: warning: %s\n' "$*" >&2; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }
is_root() { [[ $(id -u) -eq 0 ]]; }

usage() {
	sed -n '/^# Usage:/,/^# *$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# --- configuration -----------------------------------------------------------

declare -A CFG=()

# load_env FILE: read KEY=value lines into CFG; later lines win; comments
# and blank lines are skipped; no quoting, no expansion.
load_env() {
	local line key
	CFG=()
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%$'\r'}
		[[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || continue
		key=${line%%=*}
		CFG[$key]=${line#*=}
	done <"$1"
}

# cfg KEY [DEFAULT]: the configured value, or DEFAULT when unset or empty.
cfg() {
	local v=${CFG[$1]:-}
	printf '%s' "${v:-${2:-}}"
}

# need_cfg KEY...: die unless each key is set.
need_cfg() {
	local k
	for k in "$@"; do
		[[ -n ${CFG[$k]:-} ]] || die "$k is not set in $ENV_FILE"
	done
}

# set_paths VARDIR: the global paths of one stack.
set_paths() {
	[[ -n ${1:-} ]] || usage
	[[ $1 != *[\"\\$'\n']* ]] || die "VARDIR must not contain quotes, backslashes or newlines"
	VARDIR=$(realpath -m -- "$1")
	ENV_FILE=$VARDIR/easychat.env
	RUN=$VARDIR/run
	LOGS=$VARDIR/log
	# VARDIR/pg is the cluster, or a symlink to it outside VARDIR when the
	# PostgreSQL user cannot reach VARDIR (see pg_prepare_owner); the
	# PostgreSQL user is given the resolved path.
	PGDATA=$VARDIR/pg
	PG_AUX_DIR=$RUN
	PG_LOG=$LOGS/postgres.log
	if [[ -L $PGDATA ]]; then
		PGDATA=$(readlink -m -- "$PGDATA")
		PG_AUX_DIR=$(dirname "$PGDATA")
		PG_LOG=$PG_AUX_DIR/postgres.log
	fi
}

# load_stack VARDIR: paths plus the configuration of an existing stack.
load_stack() {
	set_paths "$1"
	[[ -r $ENV_FILE ]] || die "$ENV_FILE not found: run 'conf/stack.sh start $VARDIR' first"
	load_env "$ENV_FILE"
	# The BIN_DIR that start used, as recorded in stack.env.
	BIN_DIR=$(sed -n "s/^export BIN_DIR=//p" "$VARDIR/stack.env" 2>/dev/null | tr -d "'")
	BIN_DIR=${BIN_DIR:-$REPO/build/bin}
}

# install_media_defaults: the default icons and wallpapers that new users
# and groups point at (media paths defaults/*.png, see db/migrations),
# drawn by the users program once; existing files are kept.
install_media_defaults() {
	local dest
	dest=$(media_dir)/defaults
	mkdir -p "$dest"
	[[ -x $BIN_DIR/easychat-users ]] ||
		die "missing $BIN_DIR/easychat-users (run make first)"
	"$BIN_DIR/easychat-users" --make-defaults "$dest" >>"$LOGS/programs.log" 2>&1 ||
		die "drawing the default pictures failed; see $LOGS/programs.log"
}

media_dir() {
	local m
	m=$(cfg MEDIA_DIR media)
	[[ $m == /* ]] || m=$VARDIR/$m
	printf '%s' "$m"
}

# --- processes -------------------------------------------------------------

# pid_of PIDFILE NAME: print the pid if the file names a live process whose
# command line contains NAME (guards against a recycled pid).
pid_of() {
	local pid
	[[ -s $1 ]] || return 1
	read -r pid <"$1" || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	alive "$pid" || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
	printf '%s' "$pid"
}

# alive PID: the process exists and is not a zombie (an orphan that exited
# stays a zombie until init reaps it, and kill -0 still succeeds on it).
alive() {
	local stat
	kill -0 "$1" 2>/dev/null || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# stop_pid PID WHAT [SIGNAL]: signal, wait up to 10 s, then SIGKILL.
stop_pid() {
	local pid=$1 what=$2 sig=${3:-TERM} i
	kill "-$sig" "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
	warn "$what (pid $pid) ignored SIG$sig for 10 s; killing it"
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 20; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
}

# stop_pidfile PIDFILE NAME WHAT [SIGNAL]: stop that process if it runs
# (SIGTERM unless told otherwise); drop the file.
stop_pidfile() {
	local pid
	if pid=$(pid_of "$1" "$2"); then
		log "stopping $3 (pid $pid, SIG${4:-TERM})"
		stop_pid "$pid" "$3" "${4:-TERM}"
	fi
	rm -f "$1"
}

# port_open PORT: true if something accepts TCP connections on 127.0.0.1.
port_open() {
	timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# wait_for WHAT LOGFILE CMD...: poll CMD until it succeeds or time runs out.
wait_for() {
	local what=$1 logfile=$2 i
	shift 2
	for ((i = 0; i < WAIT_TENTHS; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "$what did not come up within $((WAIT_TENTHS / 10)) s; see $logfile"
}

# --- free ports (--test) ---------------------------------------------------

port_free() {
	local p=$1
	[[ ! -e $PORT_RESV_DIR/$p ]] || return 1
	if command -v ss >/dev/null; then
		[[ -z $(ss -Htan "( sport = :$p )" 2>/dev/null) ]] || return 1
	fi
	! port_open "$p"
}

# release_ports: give back the reservations of this VARDIR.
release_ports() {
	local p
	[[ -f $RUN/ports.reserved ]] || return 0
	while read -r p; do
		if [[ $p =~ ^[0-9]+$ ]]; then rm -rf -- "${PORT_RESV_DIR:?}/$p"; fi
	done <"$RUN/ports.reserved"
	rm -f "$RUN/ports.reserved"
}

# reclaim_stale_ports: drop reservations whose stack has gone away (its
# VARDIR was deleted without a stop).
reclaim_stale_ports() {
	local d owner
	for d in "$PORT_RESV_DIR"/*; do
		[[ -f $d/owner ]] || continue
		read -r owner <"$d/owner" || continue
		# Another user's reservation may not be ours to remove.
		[[ -d $owner/run ]] || rm -rf -- "$d" 2>/dev/null || true
	done
}

# reserve_ports COUNT: print COUNT consecutive free ports after reserving
# them. Random base in 20000-31999: below Linux's ephemeral range, far from
# the default ports in env_files/dev.
reserve_ports() {
	local count=$1 attempt base p i ok
	# Shared like /tmp, so root and ordinary users' runs see each other.
	if [[ ! -d $PORT_RESV_DIR ]]; then
		mkdir -p "$PORT_RESV_DIR"
		chmod 1777 "$PORT_RESV_DIR" 2>/dev/null || true
	fi
	reclaim_stale_ports
	for ((attempt = 0; attempt < 100; attempt++)); do
		base=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		ok=1
		for ((i = 0; i < count; i++)); do
			port_free $((base + i)) || { ok=0; break; }
		done
		((ok)) || continue
		# Reserve; another run may have won the race for one of them.
		for ((i = 0; i < count; i++)); do
			p=$((base + i))
			if mkdir "$PORT_RESV_DIR/$p" 2>/dev/null; then
				printf '%s\n' "$VARDIR" >"$PORT_RESV_DIR/$p/owner"
				printf '%s\n' "$p" >>"$RUN/ports.reserved"
			else
				ok=0
				break
			fi
		done
		if ((ok)); then
			printf '%s\n' "$base"
			return 0
		fi
		release_ports
	done
	die "found no $count free consecutive ports"
}

# --- easychat.env ------------------------------------------------------------

# write_env TEST: concatenate the env files, then the overrides.
write_env() {
	local test=$1 f base relays slots tmp extra
	local -a files=("$ENV_DIR"/*.env)
	[[ -e ${files[0]} ]] || die "no *.env files in $ENV_DIR"
	tmp=$ENV_FILE.tmp
	{
		echo "# Generated by conf/stack.sh from $ENV_DIR/*.env — do not edit;"
		echo "# put overrides in $VARDIR/local.env. Later lines win."
		echo "PASSWORD_BLOCKLIST=$REPO/conf/common-passwords.txt"
		for f in "${files[@]}"; do
			printf '\n# ---- %s\n' "$f"
			cat -- "$f"
			echo
		done
		printf '\n# ---- conf/stack.sh: its Redis on the same host\n'
		echo "# The programs and relays reach it by its unix socket: less"
		echo "# kernel work per round trip than TCP on loopback (tools"
		echo "# and tests use REDIS_PORT). Empty in local.env = TCP."
		echo "REDIS_SOCKET=$RUN/redis.sock"
		if [[ -f $VARDIR/local.env ]]; then
			printf '\n# ---- %s\n' "$VARDIR/local.env"
			cat -- "$VARDIR/local.env"
			echo
		fi
	} >"$tmp"
	if ((test)); then
		load_env "$tmp"
		relays=$(cfg RELAY_PROCESSES 1)
		[[ $TOPOLOGY != multi ]] || relays=$(multi_relays)
		[[ $relays =~ ^[0-9]+$ ]] || die "RELAY_PROCESSES must be a number"
		# Ports for at least two relays, so a test can start a spare
		# one (relay-start VARDIR 1) next to a single configured relay.
		slots=$relays
		((slots >= 2)) || slots=2
		release_ports
		# ... and one more for the SMTP sink the tests read mail from.
		extra=0
		[[ $TOPOLOGY != multi ]] || extra=$(multi_extra_ports)
		base=$(reserve_ports $((4 + 2 * slots + extra)))
		{
			printf '\n# ---- conf/stack.sh --test: ports chosen at run time\n'
			echo "HTTP_HOST=127.0.0.1"
			echo "HTTP_PORT=$base"
			echo "PUBLIC_ORIGINS=http://127.0.0.1:$base"
			echo "DB_HOST=127.0.0.1"
			echo "DB_PORT=$((base + 1))"
			echo "REDIS_HOST=127.0.0.1"
			echo "REDIS_PORT=$((base + 2))"
			echo "RELAY_HOST=127.0.0.1"
			echo "RELAY_PORT=$((base + 3))"
			echo "RELAY_METRICS_PORT=$((base + 3 + slots))"
			echo "# Every test client comes from 127.0.0.1 and suites burst"
			echo "# (hundreds of sign-ups, 100 messages a second per user):"
			echo "# raised here; tests/integration/limits.test.mjs checks the"
			echo "# limits themselves with small values."
			echo "RATE_WRITE_PER_USER=100000/60"
			echo "RATE_WRITE_PER_ADDR=100000/60"
			echo "RATE_SIGNUP_PER_ADDR=100000/60"
			echo "RATE_MESSAGES_PER_USER=100000/60"
			echo "RESET_PER_ADDR=100000"
			echo "# Mail goes to a local SMTP sink (smtp_sink_start) whose"
			echo "# maildir the tests read; the deliverer looks often."
			echo "MAIL_ENABLED=1"
			echo "MAIL_URL=smtp://127.0.0.1:$((base + 3 + 2 * slots))"
			echo "MAIL_FROM=chat@easychat.test"
			echo "# Verification on, so that tests/integration/email-verify"
			echo "# and the SPA's banner see it (reset tests verify first)."
			echo "EMAIL_VERIFY=1"
			echo "# The offline digest after seconds, not hours"
			echo "# (tests/integration/digest.test.mjs)."
			echo "DIGEST_AFTER_SECONDS=3"
			echo "DIGEST_CHECK_SECONDS=1"
			echo "DELIVER_POLL_MS=200"
			echo "# Web Push to the tests' fake push service on loopback"
			echo "# (tests/lib/pushservice.mjs), which speaks plain http."
			echo "PUSH_ENABLED=1"
			echo "PUSH_ALLOW_HTTP_LOOPBACK=1"
			echo "PUSH_ALLOW_PRIVATE=1"
			echo "# Short enough for a test to see both (push.test.mjs)."
			echo "PUSH_COLLAPSE_SECONDS=3"
			echo "DELIVER_LEASE_SECONDS=6"
			echo "# Small attachment limits, so that tests/integration/"
			echo "# attachments.test.mjs reaches them quickly."
			echo "ATTACH_MAX_BYTES=2097152"
			echo "ATTACH_QUOTA_BYTES=5242880"
			[[ $TOPOLOGY != multi ]] || multi_env "$base" $((base + 4 + 2 * slots))
			# local.env again, so that its lines win over the test
			# settings above too (tests/bench/run.sh turns the test
			# digest scan off: it cost PostgreSQL 1.4 s a second).
			if [[ -f $VARDIR/local.env ]]; then
				printf '\n# ---- %s (again: it wins)\n' "$VARDIR/local.env"
				cat -- "$VARDIR/local.env"
				echo
			fi
		} >>"$tmp"
	fi
	chmod 0644 "$tmp"
	mv -f "$tmp" "$ENV_FILE"
	load_env "$ENV_FILE"
}

# --- PostgreSQL ----------------------------------------------------------------

# Where clusters live when the PostgreSQL user cannot reach VARDIR (a clone
# under /root, which is 0700): one directory per VARDIR, owned by that user.
PG_EXTERNAL_ROOT=/var/lib/easychat/clusters

# as_pg CMD...: run CMD as the PostgreSQL owner, from a directory it can
# enter (initdb and postgres complain about an unreadable cwd).
as_pg() {
	local dir
	dir=$(dirname "$PGDATA")
	if is_root; then
		(cd "$dir" && runuser -u "$PG_SYSTEM_USER" -- "$@")
	else
		(cd "$dir" && "$@")
	fi
}

# pg_use_external: VARDIR is out of the PostgreSQL user's reach and we will
# not open up its parents (chmod o+x /root would be a decision for the
# machine's owner), so the cluster goes to PG_EXTERNAL_ROOT/<hash of
# VARDIR>/pg with a symlink VARDIR/pg pointing at it; its log and password
# file go beside it. `make stop` keeps it, like any VARDIR/pg.
pg_use_external() {
	local id dir
	if [[ -e $VARDIR/pg && ! -L $VARDIR/pg ]]; then
		die "user $PG_SYSTEM_USER cannot enter $VARDIR, which holds a cluster in $VARDIR/pg: move it elsewhere or make the parents searchable (chmod o+x)"
	fi
	id=$(printf '%s' "$VARDIR" | sha256sum | cut -c1-16)
	dir=$PG_EXTERNAL_ROOT/$id
	mkdir -p "$dir"
	chmod 0755 /var/lib/easychat "$PG_EXTERNAL_ROOT"
	printf '%s\n' "$VARDIR" >"$dir/vardir"
	chown "$PG_SYSTEM_USER": "$dir"
	chmod 0700 "$dir"
	if [[ $(readlink -- "$VARDIR/pg" 2>/dev/null) != "$dir/pg" ]]; then
		log "user $PG_SYSTEM_USER cannot enter $VARDIR: PostgreSQL data goes to $dir/pg"
		ln -sfn -- "$dir/pg" "$VARDIR/pg"
	fi
	ln -sfn -- "$dir/postgres.log" "$LOGS/postgres.log"
	set_paths "$VARDIR"
}

pg_prepare_owner() {
	is_root || return 0
	if ! id -u "$PG_SYSTEM_USER" >/dev/null 2>&1; then
		log "creating system user $PG_SYSTEM_USER (PostgreSQL will not run as root)"
		useradd --system --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$PG_SYSTEM_USER"
	fi
	# A mktemp -d VARDIR is 0700: let the PostgreSQL user pass through it
	# (o+x only: it can still not list or read anything else there).
	if ! runuser -u "$PG_SYSTEM_USER" -- test -x "$VARDIR" &&
		[[ -O $VARDIR ]] && runuser -u "$PG_SYSTEM_USER" -- test -x "$(dirname "$VARDIR")"; then
		log "chmod o+x $VARDIR so that $PG_SYSTEM_USER can reach $PGDATA"
		chmod o+x "$VARDIR"
	fi
	if ! runuser -u "$PG_SYSTEM_USER" -- test -x "$VARDIR"; then
		pg_use_external
	fi
}

pg_running() { as_pg "$PG_BIN/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1; }

# pg_write_conf TEST: the settings we own, included from postgresql.conf.
pg_write_conf() {
	local test=$1
	{
		echo "# Written by conf/stack.sh on every start; edit env_files instead."
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $(pg_port)"
		echo "# TCP only: no socket file in /var/run/postgresql to collide on."
		echo "unix_socket_directories = ''"
		echo "max_connections = 100"
		echo "password_encryption = 'scram-sha-256'"
		echo "timezone = 'UTC'"
		echo "log_timezone = 'UTC'"
		echo "# Planner costs for SSDs and a warm cache: with the default 4.0 a"
		echo "# history page joined 50 senders by scanning all of users."
		echo "random_page_cost = 1.1"
		echo "effective_io_concurrency = 200"
		echo "# Full-page images in the WAL compressed: posted right after a"
		echo "# CHECKPOINT, 2.5-5.7 kB of WAL per message without, 2.1-2.2 kB"
		echo "# with lz4 (tests/bench/results/2026-12-06-writes3.md)."
		echo "wal_compression = lz4"
		if ((test)) && [[ ${STACK_FSYNC:-off} != on ]]; then
			echo "# Throw-away test cluster: skip fsync for speed. A crash of the"
			echo "# machine could corrupt it, which does not matter here;"
			echo "# synchronous_commit stays at its default so commits are still"
			echo "# ordered and durable against a PostgreSQL restart."
			echo "fsync = off"
			echo "full_page_writes = off"
		fi
	} >"$PGDATA/easychat.conf"
	is_root && chown "$PG_SYSTEM_USER": "$PGDATA/easychat.conf"
	grep -q "^include_if_exists = 'easychat.conf'" "$PGDATA/postgresql.conf" ||
		echo "include_if_exists = 'easychat.conf'" >>"$PGDATA/postgresql.conf"
}

pg_init() {
	local pwfile
	mkdir -p "$PGDATA"
	is_root && chown "$PG_SYSTEM_USER": "$PGDATA"
	chmod 0700 "$PGDATA"
	[[ -s $PGDATA/PG_VERSION ]] && return 0
	need_cfg DB_USER DB_PASSWORD
	log "creating PostgreSQL cluster in $PGDATA"
	pwfile=$PG_AUX_DIR/pg-pwfile
	(umask 077 && printf '%s\n' "$(cfg DB_PASSWORD)" >"$pwfile")
	is_root && chown "$PG_SYSTEM_USER": "$pwfile"
	if ! as_pg "$PG_BIN/initdb" -D "$PGDATA" -U "$(cfg DB_USER)" --pwfile="$pwfile" \
		--auth-host=scram-sha-256 --auth-local=scram-sha-256 \
		-E UTF8 --locale=C.UTF-8 >"$LOGS/initdb.log" 2>&1; then
		rm -f "$pwfile"
		die "initdb failed; see $LOGS/initdb.log"
	fi
	rm -f "$pwfile"
}

pg_start() {
	local logfile=$PG_LOG
	pg_running && return 0
	touch "$logfile"
	is_root && chown "$PG_SYSTEM_USER": "$logfile"
	log "starting PostgreSQL on 127.0.0.1:$(pg_port)"
	as_pg "$PG_BIN/pg_ctl" start -D "$PGDATA" -l "$logfile" -w -t 60 -s >/dev/null ||
		die "PostgreSQL did not start; see $logfile"
	wait_for PostgreSQL "$logfile" pg_isready -q -h 127.0.0.1 -p "$(pg_port)"
}

pg_stop() {
	[[ -d $PGDATA ]] || return 0
	pg_running || return 0
	log "stopping PostgreSQL"
	as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA" -m fast -w -t 10 -s >/dev/null 2>&1 ||
		as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA" -m immediate -w -t 10 -s >/dev/null 2>&1 ||
		warn "PostgreSQL would not stop"
}

# The port the PostgreSQL primary listens on: DB_PORT, unless a pooler
# takes that (TOPOLOGY=multi: PG_PORT).
pg_port() { cfg PG_PORT "$(cfg DB_PORT)"; }

# The port PostgreSQL is listening on (line 4 of postmaster.pid).
pg_live_port() { sed -n 4p "$PGDATA/postmaster.pid" 2>/dev/null || true; }

pg_create_db() {
	local name exists
	name=$(cfg DB_NAME)
	[[ $name =~ ^[A-Za-z0-9_]+$ ]] || die "DB_NAME must be letters, digits and _"
	exists=$(PGPASSWORD=$(cfg DB_PASSWORD) psql -X -q -t -A -h 127.0.0.1 -p "$(pg_port)" \
		-U "$(cfg DB_USER)" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$name'")
	if [[ $exists != 1 ]]; then
		log "creating database $name"
		PGPASSWORD=$(cfg DB_PASSWORD) psql -X -q -h 127.0.0.1 -p "$(pg_port)" \
			-U "$(cfg DB_USER)" -d postgres -c "CREATE DATABASE \"$name\"" >/dev/null
	fi
}

# --- Redis ---------------------------------------------------------------------

redis_ping() {
	local pass
	pass=$(cfg REDIS_PASSWORD)
	# REDISCLI_AUTH only when set: an empty one would make redis-cli AUTH.
	env ${pass:+REDISCLI_AUTH="$pass"} redis-cli -h 127.0.0.1 -p "$(cfg REDIS_PORT)" ping | grep -q PONG
}

redis_start() {
	local pass conf=$VARDIR/redis.conf
	pass=$(cfg REDIS_PASSWORD)
	[[ $pass != *[\"\\[:space:]]* ]] || die "REDIS_PASSWORD must not contain quotes, backslashes or spaces"
	mkdir -p "$VARDIR/redis"
	{
		echo "# Written by conf/stack.sh on every start."
		echo "bind 127.0.0.1"
		echo "port $(cfg REDIS_PORT)"
		echo "unixsocket \"$RUN/redis.sock\""
		echo "unixsocketperm 700"
		echo "protected-mode yes"
		echo "daemonize yes"
		echo "pidfile \"$RUN/redis.pid\""
		echo "logfile \"$LOGS/redis.log\""
		echo "dir \"$VARDIR/redis\""
		echo "# A cache and a message bus only: nothing is persisted."
		echo 'save ""'
		echo "appendonly no"
		[[ -z $pass ]] || echo "requirepass \"$pass\""
	} >"$conf.new"
	chmod 0600 "$conf.new"
	# Keep a running Redis unless its settings changed (new --test ports).
	if pid_of "$RUN/redis.pid" redis-server >/dev/null; then
		if cmp -s "$conf.new" "$conf"; then
			rm -f "$conf.new"
			return 0
		fi
		redis_stop
	fi
	mv -f "$conf.new" "$conf"
	log "starting Redis on 127.0.0.1:$(cfg REDIS_PORT)"
	redis-server "$conf" || die "Redis did not start; see $LOGS/redis.log"
	wait_for Redis "$LOGS/redis.log" redis_ping
}

redis_stop() { stop_pidfile "$RUN/redis.pid" redis-server Redis; }

# --- routing (conf/routes.txt) ------------------------------------------------

# routes_load: ROUTE_PROGS[i] serves the paths matching ROUTE_RES[i]; the
# first match wins.
routes_load() {
	local prog re
	ROUTE_PROGS=()
	ROUTE_RES=()
	while read -r prog re; do
		[[ -z $prog || $prog == \#* ]] && continue
		[[ $re != *[\"[:space:]]* && -n $re ]] || die "conf/routes.txt: bad line for $prog"
		ROUTE_PROGS+=("$prog")
		ROUTE_RES+=("$re")
	done <"$REPO/conf/routes.txt"
}

# relay_backends FORMAT: one FORMAT (printf, with host and port) per relay.
relay_backends() {
	local i n port
	n=$(cfg RELAY_PROCESSES 1)
	port=$(cfg RELAY_PORT 9001)
	for ((i = 0; i < n; i++)); do
		# shellcheck disable=SC2059 # the format is the caller's
		printf "$1" "$(cfg RELAY_HOST 127.0.0.1)" $((port + i))
	done
}

# csp_ws_origins: same-origin websockets, spelled out for browsers that do
# not map 'self' to ws:/wss: in connect-src.
csp_ws_origins() {
	local origin csp=""
	IFS=, read -r -a origins <<<"$(cfg PUBLIC_ORIGINS)"
	for origin in "${origins[@]}"; do
		origin=${origin//[[:space:]]/}
		case $origin in
		http://*) csp+="ws://${origin#http://} " ;;
		https://*) csp+="wss://${origin#https://} " ;;
		esac
	done
	printf '%s' "${csp% }"
}

# attach_body_kib: the largest attachment upload's body in KiB, the file
# (ATTACH_MAX_BYTES) plus 64 KiB for the multipart envelope, as the rooms
# program reads it (common/app.c).
attach_body_kib() {
	local max
	max=$(cfg ATTACH_MAX_BYTES 26214400)
	[[ $max =~ ^[1-9][0-9]*$ ]] || die "ATTACH_MAX_BYTES must be a positive number"
	printf '%s' $(((max + 65536 + 1023) / 1024))
}

# render TEMPLATE OUT NAME=VALUE...: replace each @NAME@ in TEMPLATE.
render() {
	local text in=$1 out=$2 kv
	shift 2
	text=$(<"$in")
	for kv in "$@"; do
		text=${text//"@${kv%%=*}@"/"${kv#*=}"}
	done
	[[ $text != *@[A-Z_]*@* ]] || die "unreplaced placeholder in $in: $(grep -o '@[A-Z_]*@' <<<"$text" | head -1)"
	printf '%s\n' "$text" >"$out"
}

# --- lighttpd ----------------------------------------------------------------

# lighttpd_cgi_branch PROGRAM: the body of a branch that runs PROGRAM as
# plain CGI through mod_cgi, one process per request (CGI_PROGRAMS).
# alias.url maps /api/... onto the binary, so lighttpd finds it as the
# script with the rest as PATH_INFO; the program reads REQUEST_URI.
lighttpd_cgi_branch() {
	local v envs=""
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[[ -z ${!v:-} ]] || envs+=", \"$v\" => \"${!v}\""
	done
	cat <<-EOT
		$(printf '\t')# plain CGI (CGI_PROGRAMS=$1), one process per request
		$(printf '\t')alias.url = ( "/api/" => var.bindir + "/easychat-$1/" )
		$(printf '\t')cgi.assign = ( "/easychat-$1" => "" )
		$(printf '\t')cgi.execute-x-only = "enable"
		$(printf '\t')cgi.x-sendfile = "enable"
		$(printf '\t')cgi.x-sendfile-docroot = ( var.attachments )
		$(printf '\t')setenv.add-environment = ( "EASYCHAT_ENV" => var.vardir + "/easychat.env", "EASYCHAT_VAR" => var.vardir, "EASYCHAT_STACK" => var.vardir$envs )
	EOT
}

# lighttpd_routes: the fastcgi.server branches of conf/routes.txt
# (or mod_cgi ones for the programs listed in CGI_PROGRAMS).
lighttpd_routes() {
	# Every branch is an "else": conf/lighttpd.conf.in opens the chain with
	# the static API reference document.
	local i p n kw="else "
	routes_load
	for i in "${!ROUTE_PROGS[@]}"; do
		p=${ROUTE_PROGS[i]}
		if [[ " ${CGI_PROGRAMS:-} " == *" $p "* ]]; then
			# shellcheck disable=SC2016 # $HTTP is lighttpd's
			printf '%s$HTTP["url"] =~ "%s" {\n%s\n}\n' "$kw" "${ROUTE_RES[i]}" "$(lighttpd_cgi_branch "$p")"
			kw="else "
			continue
		fi
		# min-procs too: lighttpd 1.4.69 starts min(4, max-procs) by default.
		n=$(fcgi_procs "$p")
		cat <<-EOT
			${kw}\$HTTP["url"] =~ "${ROUTE_RES[i]}" {
			$(printf '\t')fastcgi.server = ( "/" => ( "$p" => (
			$(printf '\t\t')"bin-path" => var.bindir + "/easychat-$p",
			$(printf '\t\t')"socket" => var.vardir + "/run/$p.sock",
			$(printf '\t\t')"min-procs" => $n, "max-procs" => $n, "check-local" => "disable",
			$(printf '\t\t')"bin-environment" => var.fcgi_env, "bin-copy-environment" => var.fcgi_copy_env,
			$(printf '\t\t')"x-sendfile" => "enable", "x-sendfile-docroot" => ( var.attachments ),
			$(printf '\t'))))
			}
		EOT
		kw="else "
	done
}

# fcgi_procs PROGRAM: how many FastCGI processes run PROGRAM:
# FCGI_PROCS_<PROGRAM> (FCGI_PROCS_ROOMS...) when set, else FCGI_PROCS.
fcgi_procs() {
	local k="FCGI_PROCS_${1^^}" n
	n=$(cfg "$k" "$(cfg FCGI_PROCS 2)")
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "$k / FCGI_PROCS must be a positive number"
	printf '%s' "$n"
}

# render_lighttpd_conf: conf/lighttpd.conf.in -> VARDIR/lighttpd.conf.
render_lighttpd_conf() {
	local procs sock
	procs=$(cfg FCGI_PROCS 2)
	[[ $procs =~ ^[1-9][0-9]*$ ]] || die "FCGI_PROCS must be a positive number"
	# A unix socket path is limited to 107 bytes (+ "-N" per process).
	sock="$RUN/search.sock-99"
	((${#sock} < 108)) || die "VARDIR path too long for unix sockets: $VARDIR"
	render "$REPO/conf/lighttpd.conf.in" "$VARDIR/lighttpd.conf" \
		"REPO=$REPO" "VARDIR=$VARDIR" "BIN_DIR=$BIN_DIR" "MEDIA_DIR=$(media_dir)" \
		"DOC_ROOT=$REPO/htdocs/dist" "HTTP_HOST=$(cfg HTTP_HOST 127.0.0.1)" \
		"HTTP_PORT=$(cfg HTTP_PORT 8080)" "FCGI_PROCS=$procs" \
		"FASTCGI_ROUTES=$(lighttpd_routes)" \
		"ATTACH_BODY_KIB=$(attach_body_kib)" \
		"RELAY_BACKENDS=$(relay_backends '( "host" => "%s", "port" => %s ), ')" \
		"CSP_WS_ORIGINS=$(csp_ws_origins)"
}

http_answers() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1") || true
	[[ $code != 000 && -n $code ]]
}

lighttpd_start() {
	local p missing=()
	for p in "${PROGRAMS[@]}"; do
		[[ -x $BIN_DIR/easychat-$p ]] || missing+=("easychat-$p")
	done
	((${#missing[@]} == 0)) || die "missing in $BIN_DIR: ${missing[*]} (run make first)"
	[[ -d $REPO/htdocs/dist ]] || warn "$REPO/htdocs/dist does not exist yet: the SPA is not built, only /api works"
	render_lighttpd_conf
	lighttpd -tt -f "$VARDIR/lighttpd.conf" >"$LOGS/lighttpd-check.log" 2>&1 ||
		die "lighttpd rejects $VARDIR/lighttpd.conf; see $LOGS/lighttpd-check.log"
	lighttpd_stop
	log "starting lighttpd on http://$(cfg HTTP_HOST 127.0.0.1):$(cfg HTTP_PORT)"
	# lighttpd daemonises itself; its FastCGI children inherit only what
	# bin-environment / bin-copy-environment give them.
	lighttpd -f "$VARDIR/lighttpd.conf" >>"$LOGS/lighttpd-error.log" 2>&1 ||
		die "lighttpd did not start; see $LOGS/lighttpd-error.log"
	wait_for lighttpd "$LOGS/lighttpd-error.log" \
		http_answers "http://127.0.0.1:$(cfg HTTP_PORT)/api/auth/me"
}

lighttpd_stop() { stop_pidfile "$RUN/lighttpd.pid" lighttpd lighttpd; }

# --- nginx (FRONT=nginx) -------------------------------------------------------

# nginx does not spawn FastCGI programs: each process of each program runs
# under spawn-fcgi on its own socket RUN/<program>.<i>.sock (an upstream
# server each), restarted by a small supervisor when it dies, as systemd
# would (conf/systemd/). The sockets belong to the caller (0600), the user
# nginx's workers run as here (as root: root, so that they can read a clone
# under /root); a system nginx runs its workers as www-data and the
# programs as easychat: spawn-fcgi -u easychat -U www-data -M 0600, or the
# systemd socket units (README "Behind nginx").

nginx_dir() { printf '%s' "$VARDIR/nginx"; }

# Debian's brotli_static module (libnginx-mod-http-brotli-static): a
# system nginx loads it from /etc/nginx/modules-enabled, the private one
# with load_module; used only when it is installed.
NGINX_BROTLI_SO=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
nginx_brotli_static() {
	if [[ -f $NGINX_BROTLI_SO ]]; then
		echo "brotli_static on;"
	else
		echo "# brotli_static: libnginx-mod-http-brotli-static is not installed"
	fi
}

# nginx_upstreams: the upstream {} blocks and $easychat_request_id.
nginx_upstreams() {
	local p i
	cat <<-'EOT'
		# Generated by conf/stack.sh from conf/routes.txt and the env files.
		# The client's X-Request-Id when valid (API.md), else nginx's own.
		map $http_x_request_id $easychat_request_id {
		    "~^[A-Za-z0-9._-]{1,64}$" $http_x_request_id;
		    default $request_id;
		}
	EOT
	for p in "${PROGRAMS[@]}"; do
		echo "upstream easychat_$p {"
		for ((i = 0; i < $(fcgi_procs "$p"); i++)); do
			echo "    server unix:$RUN/$p.$i.sock;"
		done
		echo "}"
	done
	if [[ -n ${CGI_PROGRAMS:-} ]]; then
		echo "upstream easychat_cgi {"
		echo "    server unix:$RUN/fcgiwrap.0.sock;"
		echo "}"
	fi
	echo "upstream easychat_relay {"
	echo "    least_conn;"
	relay_backends '    server %s:%s;\n'
	echo "}"
}

# nginx_location PROG RE [LINE]: the location of regular expression RE
# passing to program PROG (under fcgiwrap when it is in CGI_PROGRAMS), with
# LINE (a directive) added.
nginx_location() {
	local prog=$1 re=$2 extra=${3:-} v
	echo "location ~ $re {"
	[[ -z $extra ]] || echo "    $extra"
	if [[ " ${CGI_PROGRAMS:-} " == *" $prog "* ]]; then
		echo "    # plain CGI (CGI_PROGRAMS=$prog) under fcgiwrap"
		echo "    include /etc/nginx/fastcgi_params;"
		echo "    fastcgi_param SCRIPT_FILENAME $BIN_DIR/easychat-$prog;"
		echo "    fastcgi_param EASYCHAT_ENV $ENV_FILE;"
		echo "    fastcgi_param EASYCHAT_VAR $VARDIR;"
		echo "    fastcgi_param EASYCHAT_STACK $VARDIR;"
		for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
			[[ -z ${!v:-} ]] || echo "    fastcgi_param $v \"${!v}\";"
		done
		echo "    fastcgi_param HTTP_X_REQUEST_ID \$easychat_request_id;"
		echo "    fastcgi_hide_header X-Request-Id;"
		echo "    fastcgi_pass easychat_cgi;"
	else
		echo "    include /etc/nginx/fastcgi_params;"
		echo "    fastcgi_param HTTP_X_REQUEST_ID \$easychat_request_id;"
		echo "    fastcgi_hide_header X-Request-Id;"
		echo "    fastcgi_pass easychat_$prog;"
	fi
	echo "}"
}

# nginx_api_locations: one location per line of conf/routes.txt, after
# the attachment upload's own (a larger body limit, ATTACH_MAX_BYTES plus
# the envelope; the first matching regular expression wins).
nginx_api_locations() {
	local i
	routes_load
	nginx_location rooms '^/api/rooms/[^/]+/attachments$' "client_max_body_size $(attach_body_kib)k;"
	for i in "${!ROUTE_PROGS[@]}"; do
		nginx_location "${ROUTE_PROGS[i]}" "${ROUTE_RES[i]}"
	done
}

# render_nginx_conf DIR: conf/nginx/*.in -> DIR/easychat-upstreams.conf,
# easychat-app.conf and site-http.conf for this configuration, with the
# programs' sockets in RUN; and site-tls.conf when SERVER_NAME is set
# (with TLS_CERT, TLS_KEY).
render_nginx_conf() {
	local dir=$1 procs media
	procs=$(cfg FCGI_PROCS 2)
	[[ $procs =~ ^[1-9][0-9]*$ ]] || die "FCGI_PROCS must be a positive number"
	media=$(media_dir)
	mkdir -p "$dir"
	nginx_upstreams >"$dir/easychat-upstreams.conf"
	render "$REPO/conf/nginx/easychat-app.conf.in" "$dir/easychat-app.conf" \
		"REPO=$REPO" "DOC_ROOT=$REPO/htdocs/dist" "MEDIA_PARENT=$(dirname "$media")" \
		"MEDIA_BASE=$(basename "$media")" "CSP_WS_ORIGINS=$(csp_ws_origins)" \
		"API_LOCATIONS=$(nginx_api_locations)" "BROTLI_STATIC=$(nginx_brotli_static)" \
		"MEDIA_DIR=$media"
	render "$REPO/conf/nginx/site-http.conf.in" "$dir/site-http.conf" \
		"HTTP_HOST=$(cfg HTTP_HOST 127.0.0.1)" "HTTP_PORT=$(cfg HTTP_PORT 8080)" "NGINX_DIR=$dir"
	if [[ -n ${SERVER_NAME:-} ]]; then
		render "$REPO/conf/nginx/site-tls.conf.in" "$dir/site-tls.conf" \
			"SERVER_NAME=$SERVER_NAME" "NGINX_DIR=$dir" \
			"TLS_CERT=${TLS_CERT:-/etc/letsencrypt/live/$SERVER_NAME/fullchain.pem}" \
			"TLS_KEY=${TLS_KEY:-/etc/letsencrypt/live/$SERVER_NAME/privkey.pem}"
	fi
}

# render_nginx_private: the stack's own nginx (VARDIR/nginx/nginx.conf).
render_nginx_private() {
	local dir user_line="" modules="# no dynamic modules"
	dir=$(nginx_dir)
	render_nginx_conf "$dir"
	if is_root; then user_line="user root root;"; fi
	if [[ -f $NGINX_BROTLI_SO ]]; then modules="load_module $NGINX_BROTLI_SO;"; fi
	render "$REPO/conf/nginx/nginx.conf.in" "$dir/nginx.conf" \
		"USER_LINE=$user_line" "LOAD_MODULES=$modules" "VARDIR=$VARDIR" "NGINX_DIR=$dir"
}

# cmd_render_nginx OUTDIR: the site files for a system nginx, from
# EASYCHAT_ENV (default /etc/easychat/easychat.env), with the programs'
# sockets in SOCKET_DIR (default /run/easychat, as conf/systemd/ makes
# them) and the media under EASYCHAT_VAR (default /var/lib/easychat).
cmd_render_nginx() {
	[[ -n ${1:-} ]] || usage
	ENV_FILE=${EASYCHAT_ENV:-/etc/easychat/easychat.env}
	[[ -r $ENV_FILE ]] || die "$ENV_FILE not readable (set EASYCHAT_ENV)"
	load_env "$ENV_FILE"
	VARDIR=${EASYCHAT_VAR:-/var/lib/easychat}
	RUN=${SOCKET_DIR:-/run/easychat}
	render_nginx_conf "$(realpath -m -- "$1")"
	log "wrote $(realpath -m -- "$1")/{easychat-upstreams,easychat-app,site-http${SERVER_NAME:+,site-tls}}.conf"
}

# program_start PROGRAM I [CMD...]: easychat-PROGRAM (or CMD) on
# RUN/PROGRAM.I.sock under spawn-fcgi, restarted 0.2 s after it exits until
# programs_stop.
program_start() {
	local p=$1 i=$2 sock=$RUN/$1.$2.sock pidfile=$RUN/fcgi-$1.$2.pid v spawn
	local -a env=(PATH="$PATH" EASYCHAT_ENV="$ENV_FILE" EASYCHAT_VAR="$VARDIR"
		EASYCHAT_STACK="$VARDIR") argv=("${@:3}")
	((${#argv[@]})) || argv=("$BIN_DIR/easychat-$p")
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS TZ LANG; do
		[[ -z ${!v:-} ]] || env+=("$v=${!v}")
	done
	((${#sock} < 108)) || die "VARDIR path too long for unix sockets: $VARDIR"
	spawn=$(command -v spawn-fcgi) || die "spawn-fcgi is not installed (conf/deps.sh)"
	pid_of "$pidfile" "$sock" >/dev/null && return 0
	# shellcheck disable=SC2016 # $$, $child and $@ belong to the inner bash
	(cd "$VARDIR" && exec setsid bash -c '
		echo $$ >"$0"
		child=0
		trap '\''kill $child 2>/dev/null; wait $child; exit 0'\'' TERM INT
		while :; do
			"$@" &
			child=$!
			wait $child
			sleep 0.2
		done' "$pidfile" env -i "${env[@]}" "$spawn" -n -s "$sock" -M 0600 \
		-- "${argv[@]}" </dev/null >>"$LOGS/programs.log" 2>&1) &
}

programs_stop() {
	local f
	for f in "$RUN"/fcgi-*.pid; do
		[[ -e $f ]] || continue
		stop_pidfile "$f" spawn-fcgi "FastCGI ${f##*/fcgi-}" TERM >/dev/null
	done
	rm -f "$RUN"/*.[0-9]*.sock
}

nginx_start() {
	local p i procs dir
	dir=$(nginx_dir)
	for p in "${PROGRAMS[@]}"; do
		[[ -x $BIN_DIR/easychat-$p ]] || die "missing $BIN_DIR/easychat-$p (run make first)"
	done
	command -v nginx >/dev/null || die "nginx is not installed (conf/deps.sh)"
	render_nginx_private
	nginx -t -q -p "$dir/" -e "$LOGS/nginx-error.log" -c "$dir/nginx.conf" >"$LOGS/nginx-check.log" 2>&1 ||
		die "nginx rejects $dir/nginx.conf; see $LOGS/nginx-check.log"
	nginx_stop
	procs=$(cfg FCGI_PROCS 2)
	log "starting $procs FastCGI processes per program (FCGI_PROCS_<PROGRAM> apart) under spawn-fcgi"
	for p in "${PROGRAMS[@]}"; do
		[[ " ${CGI_PROGRAMS:-} " != *" $p "* ]] || continue
		for ((i = 0; i < $(fcgi_procs "$p"); i++)); do
			program_start "$p" "$i"
			wait_for "easychat-$p ($i)" "$LOGS/programs.log" test -S "$RUN/$p.$i.sock"
		done
	done
	if [[ -n ${CGI_PROGRAMS:-} ]]; then
		command -v fcgiwrap >/dev/null || die "fcgiwrap is not installed (CGI_PROGRAMS with FRONT=nginx)"
		log "starting fcgiwrap for the CGI programs: $CGI_PROGRAMS"
		program_start fcgiwrap 0 "$(command -v fcgiwrap)" -c "$procs"
		wait_for fcgiwrap "$LOGS/programs.log" test -S "$RUN/fcgiwrap.0.sock"
	fi
	log "starting nginx on http://$(cfg HTTP_HOST 127.0.0.1):$(cfg HTTP_PORT)"
	nginx -p "$dir/" -e "$LOGS/nginx-error.log" -c "$dir/nginx.conf" >>"$LOGS/nginx-start.log" 2>&1 ||
		die "nginx did not start; see $LOGS/nginx-start.log and nginx-error.log"
	wait_for nginx "$LOGS/nginx-error.log" \
		http_answers "http://127.0.0.1:$(cfg HTTP_PORT)/api/auth/me"
}

nginx_stop() {
	stop_pidfile "$RUN/nginx.pid" nginx nginx
	programs_stop
}

# front_start: the front server FRONT chose (lighttpd unless FRONT=nginx).
front_start() {
	case $FRONT in
	lighttpd) nginx_stop; lighttpd_start ;;
	nginx) lighttpd_stop; nginx_start ;;
	*) die "FRONT must be lighttpd or nginx, not $FRONT" ;;
	esac
}

# --- relays --------------------------------------------------------------------

relay_start() {
	local i=$1 port pidfile=$RUN/relay-$1.pid logfile=$LOGS/relay-$1.log
	local -a env=(PATH="$PATH" EASYCHAT_ENV="$ENV_FILE" EASYCHAT_VAR="$VARDIR"
		EASYCHAT_STACK="$VARDIR" RELAY_INDEX="$i")
	local v
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS TZ LANG; do
		[[ -z ${!v:-} ]] || env+=("$v=${!v}")
	done
	port=$(($(cfg RELAY_PORT 9001) + i))
	pid_of "$pidfile" easychat-relay >/dev/null && return 0
	log "starting relay $i on 127.0.0.1:$port"
	# setsid: its own session, so a Ctrl-C in the caller's terminal or the
	# end of make does not take it down; the child writes its own pid.
	# shellcheck disable=SC2016 # $$ and $@ belong to the inner sh
	(cd "$VARDIR" && exec setsid sh -c 'echo $$ >"$0" && exec "$@"' "$pidfile" \
		env -i "${env[@]}" "$BIN_DIR/easychat-relay" \
		</dev/null >>"$logfile" 2>&1) &
	local t
	for ((t = 0; t < WAIT_TENTHS; t++)); do
		port_open "$port" && return 0
		if ((t > 5)) && ! pid_of "$pidfile" easychat-relay >/dev/null; then
			die "relay $i exited; see $logfile"
		fi
		sleep 0.1
	done
	die "relay $i does not accept on port $port; see $logfile"
}

relay_stop() { stop_pidfile "$RUN/relay-$1.pid" easychat-relay "relay $1" "${2:-TERM}"; }

relay_count() {
	local n
	n=$(cfg RELAY_PROCESSES 1)
	[[ -x $BIN_DIR/easychat-relay ]] || n=0
	printf '%s' "$n"
}

# --- the outbox deliverer and the test SMTP sink ----------------------------------

# daemon_start NAME PIDFILE LOGFILE CMD...: CMD in its own session from
# VARDIR, with the stack's environment; fails when it exits at once.
daemon_start() {
	local name=$1 pidfile=$2 logfile=$3 t v
	shift 3
	local -a env=(PATH="$PATH" EASYCHAT_ENV="$ENV_FILE" EASYCHAT_VAR="$VARDIR"
		EASYCHAT_STACK="$VARDIR")
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS TZ LANG; do
		[[ -z ${!v:-} ]] || env+=("$v=${!v}")
	done
	log "starting $name"
	# shellcheck disable=SC2016 # $$ and $@ belong to the inner sh
	(cd "$VARDIR" && exec setsid sh -c 'echo $$ >"$0" && exec "$@"' "$pidfile" \
		env -i "${env[@]}" "$@" </dev/null >>"$logfile" 2>&1) &
	# up when it is still there 0.3 s after writing its pid
	for ((t = 0; t < WAIT_TENTHS; t++)); do
		sleep 0.1
		[[ -s $pidfile ]] && break
	done
	sleep 0.3
	if ! [[ -s $pidfile ]] || ! alive "$(cat "$pidfile")"; then
		die "$name exited; see $logfile"
	fi
}

# easychat-deliver sends the outbox (mail; common/cli/deliver.c).
deliver_start() {
	[[ -x $BIN_DIR/easychat-deliver ]] || { warn "no easychat-deliver: mail is not sent"; return 0; }
	deliver_stop
	daemon_start deliver "$RUN/deliver.pid" "$LOGS/deliver.log" "$BIN_DIR/easychat-deliver"
}
deliver_stop() { stop_pidfile "$RUN/deliver.pid" easychat-deliver deliver; }

# With PUSH_ENABLED=1: the Web Push (VAPID) key pair, made once at first
# start as VAPID_KEY_FILE (default VARDIR/vapid.key, mode 0600; never in
# git) and kept across restarts (common/push.h).
vapid_key() {
	[[ $(cfg PUSH_ENABLED 0) == 1 ]] || return 0
	[[ -x $BIN_DIR/easychat-deliver ]] || { warn "no easychat-deliver: no VAPID key, Web Push is off"; return 0; }
	(cd "$VARDIR" && env -i PATH="$PATH" EASYCHAT_ENV="$ENV_FILE" EASYCHAT_VAR="$VARDIR" "$BIN_DIR/easychat-deliver" --vapid-key) \
		>/dev/null 2>>"$LOGS/deliver.log" || die "making the VAPID key failed; see $LOGS/deliver.log"
}

# --test only: an SMTP server (Debian's python3-aiosmtpd) that files every
# mail it takes in the maildir VARDIR/mail, where tests read it.
smtp_sink_start() {
	local port=${1##*:}
	smtp_sink_stop
	mkdir -p "$VARDIR/mail/tmp" "$VARDIR/mail/new" "$VARDIR/mail/cur"
	daemon_start "SMTP sink on 127.0.0.1:$port" "$RUN/smtp-sink.pid" "$LOGS/smtp-sink.log" \
		/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$VARDIR/mail"
	local t
	for ((t = 0; t < WAIT_TENTHS; t++)); do
		port_open "$port" && return 0
		sleep 0.1
	done
	die "the SMTP sink does not accept on port $port; see $LOGS/smtp-sink.log"
}
smtp_sink_stop() { stop_pidfile "$RUN/smtp-sink.pid" python3 "SMTP sink"; }

# --- the whole stack -----------------------------------------------------------

# sweep_strays: processes that carry this stack's EASYCHAT_STACK marker but
# outlived their parent (e.g. FastCGI children of a lighttpd that was
# SIGKILLed), and of its second front (TOPOLOGY=multi). Never the caller
# or its ancestors.
sweep_strays() {
	local env_path pid marker="EASYCHAT_STACK=$VARDIR"
	for env_path in /proc/[0-9]*/environ; do
		pid=${env_path#/proc/}
		pid=${pid%/environ}
		[[ $pid != "$$" && $pid != "$BASHPID" ]] || continue
		{ tr '\0' '\n' <"$env_path"; } 2>/dev/null |
			grep -qxF -e "$marker" -e "$marker/front-2" || continue
		warn "stopping leftover process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
		stop_pid "$pid" "leftover $pid"
	done
}

start_services() {
	local test=$1 i n
	need_cfg HTTP_PORT DB_PORT DB_NAME DB_USER DB_PASSWORD REDIS_PORT
	# (a) PostgreSQL
	pg_prepare_owner
	pg_init
	pg_write_conf "$test"
	if pg_running && [[ $(pg_live_port) != "$(pg_port)" ]]; then
		log "PostgreSQL runs on another port; restarting it"
		pg_stop
	fi
	pg_start
	pg_create_db
	! is_multi || multi_start_pg
	# (b) migrations
	"$REPO/db/migrate.sh" "$ENV_FILE"
	# (c) Redis
	redis_start
	! is_multi || multi_redis_start
	# (e) relays before lighttpd, so /ws works as soon as lighttpd answers
	n=$(relay_count)
	((n > 0)) || warn "$BIN_DIR/easychat-relay not found: /ws will answer 503"
	for ((i = 0; i < n; i++)); do
		relay_stop "$i"
		relay_start "$i"
	done
	# (d) the front server and the FastCGI programs (restarted to pick up
	# new builds), after the VAPID key they serve exists
	vapid_key
	front_start
	! is_multi || multi_front2 start
	# (f) the outbox: the test SMTP sink, then the deliverer
	((test == 0)) || smtp_sink_start "$(cfg MAIL_URL)"
	deliver_start
}

stop_services() {
	local f
	deliver_stop
	smtp_sink_stop
	! is_multi || multi_stop
	lighttpd_stop
	nginx_stop
	for f in "$RUN"/relay-*.pid; do
		[[ -e $f ]] || continue
		f=${f##*/relay-}
		relay_stop "${f%.pid}"
	done
	redis_stop
	pg_stop
	sweep_strays
}

# write_stack_env: VARDIR/stack.env for tests and shells.
write_stack_env() {
	local http relays="" metrics="" i n user pass port base
	http="http://127.0.0.1:$(cfg HTTP_PORT)"
	n=$(relay_count)
	for ((i = 0; i < n; i++)); do
		relays+="ws://127.0.0.1:$(($(cfg RELAY_PORT) + i))/ws,"
		metrics+="http://127.0.0.1:$(($(cfg RELAY_METRICS_PORT) + i))/metrics,"
	done
	user=$(urlencode "$(cfg DB_USER)")
	pass=$(urlencode "$(cfg DB_PASSWORD)")
	{
		echo "# Written by conf/stack.sh: . this file to talk to the stack in $VARDIR"
		kv EASYCHAT_VAR "$VARDIR"
		kv EASYCHAT_ENV "$ENV_FILE"
		kv FRONT "$FRONT"
		kv BASE_URL "$http"
		kv ORIGIN "$http"
		kv WS_URL "ws://127.0.0.1:$(cfg HTTP_PORT)/ws"
		kv RELAY_URLS "${relays%,}"
		kv RELAY_METRICS_URLS "${metrics%,}"
		kv MAIL_DIR "$VARDIR/mail"
		kv DB_HOST 127.0.0.1
		kv DB_PORT "$(cfg DB_PORT)"
		kv DB_NAME "$(cfg DB_NAME)"
		kv DB_USER "$(cfg DB_USER)"
		kv DB_PASSWORD "$(cfg DB_PASSWORD)"
		kv DATABASE_URL "postgresql://$user:$pass@127.0.0.1:$(cfg DB_PORT)/$(cfg DB_NAME)"
		kv REDIS_HOST 127.0.0.1
		kv REDIS_PORT "$(cfg REDIS_PORT)"
		kv REDIS_PASSWORD "$(cfg REDIS_PASSWORD)"
		kv BIN_DIR "$BIN_DIR"
		kv MEDIA_DIR "$(media_dir)"
		! is_multi || multi_stack_env
	} >"$VARDIR/stack.env"
}

# kv KEY VALUE: one `export KEY=value` line, single-quoted when needed.
kv() {
	local v=$2
	if [[ $v =~ ^[A-Za-z0-9_./:,@%+=-]*$ ]]; then
		printf 'export %s=%s\n' "$1" "$v"
	else
		printf "export %s='%s'\n" "$1" "${v//\'/\'\\\'\'}"
	fi
}

urlencode() {
	local s=$1 out="" c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

cmd_start() {
	local test=0 attempts=1 attempt rc
	set_paths "${1:-}"
	[[ ${2:-} == "" || ${2:-} == --test ]] || usage
	[[ ${2:-} == --test ]] && test=1 && attempts=3
	ENV_DIR=$(realpath -m -- "${ENV_DIR:-$REPO/env_files/dev}")
	BIN_DIR=$(realpath -m -- "${BIN_DIR:-$REPO/build/bin}")
	FRONT=${FRONT:-lighttpd}
	TOPOLOGY=${TOPOLOGY:-}
	[[ -z $TOPOLOGY || ($TOPOLOGY == multi && $test == 1) ]] ||
		die "TOPOLOGY must be empty, or multi with --test (make test TOPOLOGY=multi)"
	mkdir -p "$VARDIR" "$RUN" "$LOGS" "$VARDIR/tmp"
	if ((test)); then touch "$RUN/test-stack"; fi
	pg_prepare_owner
	for ((attempt = 1; attempt <= attempts; attempt++)); do
		write_env "$test"
		install_media_defaults
		# A subshell with its own errexit: a failure in any step ends it,
		# and with --test we retry on other ports (one may have been
		# taken by another program since we checked).
		set +e
		(set -e; start_services "$test")
		rc=$?
		set -e
		((rc == 0)) && break
		if ((attempt == attempts)); then
			# A test harness gets nothing half-started to clean up.
			((test)) && stop_services && release_ports
			die "start failed (logs in $LOGS)"
		fi
		warn "start failed; stopping and retrying on other ports ($attempt/$attempts)"
		stop_services
	done
	write_stack_env
	log "stack is up: $(cfg_url)   (. $VARDIR/stack.env; conf/stack.sh stop $VARDIR)"
}

cfg_url() { printf 'http://%s:%s/' "$(cfg HTTP_HOST 127.0.0.1)" "$(cfg HTTP_PORT)"; }

cmd_stop() {
	set_paths "${1:-}"
	[[ -d $VARDIR ]] || return 0
	[[ -r $ENV_FILE ]] && load_env "$ENV_FILE"
	stop_services
	release_ports
	# A throw-away (--test) cluster kept outside VARDIR goes with it.
	if [[ -f $RUN/test-stack && -L $VARDIR/pg && $PGDATA == "$PG_EXTERNAL_ROOT"/*/pg ]]; then
		rm -rf -- "$(dirname "$PGDATA")" "$VARDIR/pg"
	fi
	log "stopped $VARDIR"
}

cmd_status() {
	local i n pid rc=0
	load_stack "${1:-}"
	show() { printf '%-12s %s\n' "$1" "$2"; }
	if [[ -d $PGDATA ]] && pg_running; then
		show postgresql "running on 127.0.0.1:$(pg_live_port)"
	else show postgresql stopped; rc=1; fi
	if pid=$(pid_of "$RUN/redis.pid" redis-server); then
		show redis "running (pid $pid) on 127.0.0.1:$(cfg REDIS_PORT)"
	else show redis stopped; rc=1; fi
	if pid=$(pid_of "$RUN/lighttpd.pid" lighttpd); then
		show lighttpd "running (pid $pid) on $(cfg_url)"
	elif pid=$(pid_of "$RUN/nginx.pid" nginx); then
		show nginx "running (pid $pid) on $(cfg_url)"
	else show "front server" stopped; rc=1; fi
	n=$(relay_count)
	for ((i = 0; i < n; i++)); do
		if pid=$(pid_of "$RUN/relay-$i.pid" easychat-relay); then
			show "relay $i" "running (pid $pid) on 127.0.0.1:$(($(cfg RELAY_PORT) + i))"
		else show "relay $i" stopped; rc=1; fi
	done
	return $rc
}

# cmd_serve VARDIR: container mode (conf/Dockerfile). The environment (from
# compose's env_file) becomes VARDIR/easychat.env, migrations run, and
# lighttpd stays in the foreground. PostgreSQL and Redis are other
# containers; the relay is its own container too.
cmd_serve() {
	local i
	set_paths "${1:-}"
	BIN_DIR=$(realpath -m -- "${BIN_DIR:-$REPO/build/bin}")
	mkdir -p "$RUN" "$LOGS" "$VARDIR/tmp"
	env | grep -E '^(HTTP_|PUBLIC_ORIGINS=|FCGI_PROCS(_[A-Z]+)?=|DB_|REDIS_|RELAY_|JWT_|ACCESS_|REFRESH_|COOKIE_|BODY_|UPLOAD_|MEDIA_|LOGIN_|PASSWORD_|REVOCATION_|RATE_|REACTIONS_|ARGON2_|TRUSTED_PROX|OAUTH_|SENTRY_|METRICS_|MAIL_|RESET_|EMAIL_VERIFY=|VERIFY_|DIGEST_|DELIVER_|LOG_LEVEL=)' >"$ENV_FILE"
	# The shipped blocklist unless the environment names another.
	[[ -n ${PASSWORD_BLOCKLIST:-} ]] || echo "PASSWORD_BLOCKLIST=$REPO/conf/common-passwords.txt" >>"$ENV_FILE"
	load_env "$ENV_FILE"
	if grep -q '=CHANGE_ME$' "$ENV_FILE"; then
		die "still CHANGE_ME: $(grep '=CHANGE_ME$' "$ENV_FILE" | cut -d= -f1 | tr '\n' ' ')(see docker-compose.prod.yml)"
	fi
	install_media_defaults
	for ((i = 0; i < 60; i++)); do
		"$REPO/db/migrate.sh" "$ENV_FILE" && break
		sleep 2
	done
	((i < 60)) || die "migrations failed"
	render_lighttpd_conf
	# Without server.errorlog, lighttpd -D logs to stderr, which the
	# container runtime collects; no access log.
	sed -i -e '/^server.errorlog /d' -e '/^accesslog.filename /d' "$VARDIR/lighttpd.conf"
	exec lighttpd -D -f "$VARDIR/lighttpd.conf"
}

# --- backup and restore ----------------------------------------------------------

# pg_conn: the connection options of this stack for pg_dump / pg_restore.
pg_conn() {
	printf '%s\n' -h 127.0.0.1 -p "$(cfg DB_PORT)" -U "$(cfg DB_USER)" -d "$(cfg DB_NAME)"
}

# cmd_backup VARDIR [FILE]: one .tar.gz with the database (pg_dump custom
# format, a consistent snapshot) and the media. Media files are named by
# their content and written before the row that points at them commits,
# and removed only when nothing points at them: hard-link snapshots taken
# just before and just after the dump, merged, hold every file the dump
# names even if it was replaced meanwhile.
cmd_backup() {
	local out tmp media
	local -a migrations=("$REPO"/db/migrations/*.sql)
	load_stack "${1:-}"
	pg_running || die "PostgreSQL of $VARDIR is not running (make run first)"
	out=${2:-$VARDIR/backups/easychat-$(date -u +%Y%m%dT%H%M%SZ).tar.gz}
	out=$(realpath -m -- "$out")
	mkdir -p "$(dirname "$out")" "$VARDIR/tmp"
	tmp=$(mktemp -d "$VARDIR/tmp/backup.XXXXXX")
	media=$(media_dir)
	mkdir -p "$tmp/media"
	if [[ -d $media ]]; then
		cp -al -- "$media/." "$tmp/media/" 2>/dev/null || cp -a -- "$media/." "$tmp/media/"
	fi
	# shellcheck disable=SC2046 # one word per line
	if ! PGPASSWORD=$(cfg DB_PASSWORD) pg_dump -Fc $(pg_conn) -f "$tmp/db.dump"; then
		rm -rf -- "$tmp"
		die "pg_dump failed"
	fi
	if [[ -d $media ]]; then
		cp -aln -- "$media/." "$tmp/media/" 2>/dev/null || cp -an -- "$media/." "$tmp/media/"
	fi
	printf 'easychat-backup 1\ncreated %s\nmigrations %s\n' "$(date -u +%FT%TZ)" \
		"${migrations[-1]##*/}" >"$tmp/BACKUP"
	tar -C "$tmp" -czf "$out.part" BACKUP db.dump media && mv -f "$out.part" "$out"
	rm -rf -- "$tmp"
	log "backup written to $out"
}

# cmd_restore VARDIR FILE: replace this stack's database and media with
# those of a backup. The stack must be running (PostgreSQL and Redis);
# Redis is flushed (caches and tickets of the old data), the relays are
# restarted so that clients resynchronise.
cmd_restore() {
	local in tmp media i n
	load_stack "${1:-}"
	in=${2:-}
	[[ -r $in ]] || die "usage: conf/stack.sh restore VARDIR BACKUP.tar.gz"
	pg_running || die "PostgreSQL of $VARDIR is not running (make run first)"
	mkdir -p "$VARDIR/tmp"
	tmp=$(mktemp -d "$VARDIR/tmp/restore.XXXXXX")
	tar -C "$tmp" -xzf "$in" || die "cannot read $in"
	[[ $(head -1 "$tmp/BACKUP" 2>/dev/null) == "easychat-backup 1" ]] || die "$in is not an Easy Chat backup"
	log "restoring the database from $in"
	# --clean drops what the dump recreates, so a database made by
	# `make run` (migrated, maybe used) ends up exactly as backed up.
	# shellcheck disable=SC2046 # one word per line
	PGPASSWORD=$(cfg DB_PASSWORD) pg_restore --clean --if-exists --no-owner --no-acl \
		--single-transaction --exit-on-error $(pg_conn) "$tmp/db.dump" ||
		die "pg_restore failed; the database is unchanged"
	media=$(media_dir)
	mkdir -p "$media"
	cp -a -- "$tmp/media/." "$media/"
	rm -rf -- "$tmp"
	env ${CFG[REDIS_PASSWORD]:+REDISCLI_AUTH="${CFG[REDIS_PASSWORD]}"} \
		redis-cli -h 127.0.0.1 -p "$(cfg REDIS_PORT)" FLUSHALL >/dev/null ||
		warn "could not flush Redis; cached history pages may be stale for 120 s"
	n=$(relay_count)
	for ((i = 0; i < n; i++)); do
		if pid_of "$RUN/relay-$i.pid" easychat-relay >/dev/null; then
			relay_stop "$i"
			relay_start "$i"
		fi
	done
	log "restored $in into $VARDIR"
}

# cmd_routes: the listing of conf/routes.txt, in the order they match.
cmd_routes() {
	local i
	routes_load
	printf '%-8s %s\n' PROGRAM "URL (regular expression; the first match wins)"
	for i in "${!ROUTE_PROGS[@]}"; do
		printf '%-8s %s\n' "${ROUTE_PROGS[i]}" "${ROUTE_RES[i]}"
	done
	printf '%-8s %s\n' relay '^/ws(/|$)  (websocket, proxied)'
}

main() {
	local cmd=${1:-}
	shift || true
	case $cmd in
	start) cmd_start "$@" ;;
	stop) cmd_stop "$@" ;;
	status) cmd_status "$@" ;;
	serve) cmd_serve "$@" ;;
	render-nginx) cmd_render_nginx "$@" ;;
	routes) cmd_routes ;;
	backup) cmd_backup "$@" ;;
	restore) cmd_restore "$@" ;;
	pg-stop)
		load_stack "${1:-}"
		pg_stop
		;;
	pg-start)
		load_stack "${1:-}"
		pg_prepare_owner
		pg_start
		;;
	redis-stop)
		load_stack "${1:-}"
		redis_stop
		;;
	redis-start)
		load_stack "${1:-}"
		redis_start
		;;
	relay-kill)
		load_stack "${1:-}"
		[[ ${2:-} =~ ^[0-9]+$ ]] || usage
		relay_stop "$2" "${3:-KILL}"
		;;
	relay-start)
		load_stack "${1:-}"
		[[ ${2:-} =~ ^[0-9]+$ ]] || usage
		relay_start "$2"
		;;
	deliver-kill)
		load_stack "${1:-}"
		stop_pidfile "$RUN/deliver.pid" easychat-deliver deliver KILL
		;;
	redis-primary | redis-kill-primary | redis-node-start | pg-replica-stop | pg-replica-start)
		multi_cmd "$cmd" "$@"
		;;
	deliver-start)
		load_stack "${1:-}"
		deliver_start
		;;
	*) usage ;;
	esac
}

main "$@"
