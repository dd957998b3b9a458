# shellcheck shell=bash
# stack-multi.sh - the TOPOLOGY=multi parts of conf/stack.sh (sourced by it):
# on one box, what several hosts would run (README "Scaling out").
#
#   - Redis: a primary, one replica and three sentinels (quorum 2); the
#     programs and relays ask a sentinel for the primary (REDIS_SENTINELS,
#     common/rds.c rds_primary()).
#   - PostgreSQL: the primary (PG_PORT), one streaming replica made by
#     pg_basebackup -R (PG_REPLICA_PORT), and pgbouncer (session pooling:
#     the programs use named prepared statements) on DB_PORT, which is
#     what the programs, migrations and tests connect to; the programs
#     read older history pages and search from the replica
#     (DATABASE_REPLICA_URL).
#   - A second front (nginx when the first is lighttpd, else lighttpd) with
#     its own FastCGI programs, as a sub-stack in VARDIR/front-2 that shares
#     the first one's database, Redis, relays and media.
#   - Three relays (RELAY_PROCESSES=3), behind both fronts.
#
# Only conf/stack.sh start VARDIR --test with TOPOLOGY=multi builds it (the
# ports are chosen at run time); single-box stacks never call any of this.
# Functions use the globals of conf/stack.sh (VARDIR, RUN, LOGS, PGDATA,
# CFG, cfg, log, die, as_pg, is_root, ...).

# Ports a multi stack needs beyond a single-box test stack: the second
# front, pgbouncer, the PostgreSQL replica, the Redis replica, 3 sentinels.
MULTI_EXTRA_PORTS=7
MULTI_RELAYS=3
MULTI_SENTINELS=3
multi_extra_ports() { printf '%s' "$MULTI_EXTRA_PORTS"; }
multi_relays() { printf '%s' "$MULTI_RELAYS"; }

is_multi() { [[ $(cfg STACK_TOPOLOGY) == multi ]]; }

# multi_env BASE FIRST: the easychat.env lines of a multi stack, whose
# extra ports start at FIRST (the single-box ones at BASE).
multi_env() {
	local base=$1 m=$2 i list=""
	for ((i = 0; i < MULTI_SENTINELS; i++)); do
		list+="127.0.0.1:$((m + 4 + i)),"
	done
	printf '\n# ---- conf/stack.sh --test, TOPOLOGY=multi (conf/stack-multi.sh)\n'
	echo "STACK_TOPOLOGY=multi"
	echo "RELAY_PROCESSES=$MULTI_RELAYS"
	echo "FRONT2_PORT=$m"
	echo "PUBLIC_ORIGINS=http://127.0.0.1:$base,http://127.0.0.1:$m"
	echo "# The programs reach PostgreSQL through pgbouncer (DB_PORT);"
	echo "# PG_PORT is the primary itself."
	echo "PG_PORT=$((base + 1))"
	echo "DB_PORT=$((m + 1))"
	echo "PG_REPLICA_PORT=$((m + 2))"
	echo "# Older history pages and search read from the replica (common/db.h)."
	echo "DATABASE_REPLICA_URL=postgresql://127.0.0.1:$((m + 2))/$(cfg DB_NAME easychat)"
	echo "REDIS_REPLICA_PORT=$((m + 3))"
	echo "REDIS_SENTINELS=${list%,}"
	echo "REDIS_SENTINEL_MASTER=easychat"
}

# --- PostgreSQL: replica and pgbouncer ------------------------------------------

# Beside the primary's cluster, so that the PostgreSQL user can reach them
# wherever pg_prepare_owner put that.
multi_pg_dir() { printf '%s' "$(dirname "$PGDATA")/$1"; }

multi_pg_replica_running() {
	as_pg "$PG_BIN/pg_ctl" status -D "$(multi_pg_dir pg-replica)" >/dev/null 2>&1
}

# multi_pg_replica_init: a streaming replica of the primary, once.
multi_pg_replica_init() {
	local dir
	dir=$(multi_pg_dir pg-replica)
	[[ -s $dir/PG_VERSION ]] && return 0
	log "making the PostgreSQL replica (pg_basebackup -R) in $dir"
	rm -rf -- "$dir"
	mkdir -m 0700 -- "$dir"
	is_root && chown "$PG_SYSTEM_USER": "$dir"
	# -R writes primary_conninfo and standby.signal; -X stream copies the
	# WAL written meanwhile.  The password travels in the environment.
	as_pg env PGPASSWORD="$(cfg DB_PASSWORD)" "$PG_BIN/pg_basebackup" -h 127.0.0.1 \
		-p "$(pg_port)" -U "$(cfg DB_USER)" -D "$dir" -R -X stream -c fast \
		>>"$LOGS/pg-replica.log" 2>&1 || die "pg_basebackup failed; see $LOGS/pg-replica.log"
	# postgresql.auto.conf is read last: its port wins over easychat.conf's.
	echo "port = $(cfg PG_REPLICA_PORT)" >>"$dir/postgresql.auto.conf"
}

multi_pg_replica_start() {
	local dir logfile=$LOGS/pg-replica.log
	dir=$(multi_pg_dir pg-replica)
	multi_pg_replica_running && return 0
	touch "$logfile"
	is_root && chown "$PG_SYSTEM_USER": "$logfile"
	log "starting the PostgreSQL replica on 127.0.0.1:$(cfg PG_REPLICA_PORT)"
	as_pg "$PG_BIN/pg_ctl" start -D "$dir" -l "$logfile" -w -t 60 -s >/dev/null ||
		die "the PostgreSQL replica did not start; see $logfile"
	wait_for "PostgreSQL replica" "$logfile" pg_isready -q -h 127.0.0.1 -p "$(cfg PG_REPLICA_PORT)"
}

multi_pg_replica_stop() {
	local dir
	dir=$(multi_pg_dir pg-replica)
	[[ -d $dir ]] || return 0
	multi_pg_replica_running || return 0
	log "stopping the PostgreSQL replica"
	as_pg "$PG_BIN/pg_ctl" stop -D "$dir" -m fast -w -t 10 -s >/dev/null 2>&1 ||
		as_pg "$PG_BIN/pg_ctl" stop -D "$dir" -m immediate -w -t 10 -s >/dev/null 2>&1 ||
		warn "the PostgreSQL replica would not stop"
}

# pgbouncer refuses to run as root: it runs as the PostgreSQL user, with
# its files beside the clusters.
multi_pgbouncer_start() {
	local dir
	dir=$(multi_pg_dir pgbouncer)
	command -v pgbouncer >/dev/null || die "pgbouncer is not installed (conf/deps.sh)"
	mkdir -p "$dir"
	(umask 077 && printf '"%s" "%s"\n' "$(cfg DB_USER)" "$(cfg DB_PASSWORD)" >"$dir/userlist.txt")
	{
		echo ";; Written by conf/stack.sh (TOPOLOGY=multi) on every start."
		echo "[databases]"
		echo "$(cfg DB_NAME) = host=127.0.0.1 port=$(pg_port) dbname=$(cfg DB_NAME)"
		echo "postgres = host=127.0.0.1 port=$(pg_port) dbname=postgres"
		echo "[pgbouncer]"
		echo "listen_addr = 127.0.0.1"
		echo "listen_port = $(cfg DB_PORT)"
		echo "unix_socket_dir ="
		echo "auth_type = scram-sha-256"
		echo "auth_file = $dir/userlist.txt"
		echo ";; session: the programs keep named prepared statements and the"
		echo ";; relays LISTEN, both per server connection."
		echo "pool_mode = session"
		echo "max_client_conn = 500"
		echo "default_pool_size = 90"
		echo ";; Warm server connections: a client that logs in (the programs,"
		echo ";; easychat-admin) should not wait for a PostgreSQL backend to fork"
		echo ";; on a loaded machine."
		echo "min_pool_size = 20"
		echo "pidfile = $dir/pgbouncer.pid"
		echo "logfile = $dir/pgbouncer.log"
		echo "ignore_startup_parameters = extra_float_digits,options"
	} >"$dir/pgbouncer.ini"
	is_root && chown -R "$PG_SYSTEM_USER": "$dir"
	multi_pgbouncer_stop
	log "starting pgbouncer on 127.0.0.1:$(cfg DB_PORT)"
	as_pg "$(command -v pgbouncer)" -d -q "$dir/pgbouncer.ini" >>"$LOGS/pgbouncer-start.log" 2>&1 ||
		die "pgbouncer did not start; see $dir/pgbouncer.log"
	ln -sfn -- "$dir/pgbouncer.log" "$LOGS/pgbouncer.log"
	wait_for pgbouncer "$dir/pgbouncer.log" pg_isready -q -h 127.0.0.1 -p "$(cfg DB_PORT)"
}

multi_pgbouncer_stop() {
	stop_pidfile "$(multi_pg_dir pgbouncer)/pgbouncer.pid" pgbouncer pgbouncer
}

# --- Redis: replica and sentinels ------------------------------------------------

# multi_redis_node_start NAME PORT [PRIMARY_PORT]: one more redis-server
# (a replica of PRIMARY_PORT when given) in VARDIR/redis-NAME.
multi_redis_node_start() {
	local name=$1 port=$2 primary=${3:-} pass conf dir=$VARDIR/redis-$1
	pass=$(cfg REDIS_PASSWORD)
	conf=$dir/redis.conf
	mkdir -p "$dir"
	pid_of "$RUN/redis-$name.pid" redis-server >/dev/null && return 0
	{
		echo "# Written by conf/stack.sh (TOPOLOGY=multi); sentinels rewrite it."
		echo "bind 127.0.0.1"
		echo "port $port"
		echo "protected-mode yes"
		echo "daemonize yes"
		echo "pidfile \"$RUN/redis-$name.pid\""
		echo "logfile \"$LOGS/redis-$name.log\""
		echo "dir \"$dir\""
		echo 'save ""'
		echo "appendonly no"
		[[ -z $pass ]] || echo "requirepass \"$pass\""
		[[ -z $pass ]] || echo "masterauth \"$pass\""
		[[ -z $primary ]] || echo "replicaof 127.0.0.1 $primary"
	} >"$conf"
	chmod 0600 "$conf"
	log "starting Redis $name on 127.0.0.1:$port${primary:+ (replica of $primary)}"
	redis-server "$conf" || die "Redis $name did not start; see $LOGS/redis-$name.log"
	wait_for "Redis $name" "$LOGS/redis-$name.log" multi_redis_cli "$port" ping
}

# multi_redis_cli PORT ARGS...: redis-cli against one node of this stack.
multi_redis_cli() {
	local port=$1 pass
	shift
	pass=$(cfg REDIS_PASSWORD)
	env ${pass:+REDISCLI_AUTH="$pass"} redis-cli -h 127.0.0.1 -p "$port" "$@"
}

multi_sentinel_port() { printf '%s' "$(($(cfg FRONT2_PORT) + 4 + $1))"; }

multi_sentinel_start() {
	local i=$1 port dir=$VARDIR/sentinel-$1 pass
	port=$(multi_sentinel_port "$i")
	pass=$(cfg REDIS_PASSWORD)
	mkdir -p "$dir"
	pid_of "$RUN/sentinel-$i.pid" redis-server >/dev/null && return 0
	# Down after 2 s without an answer (shorter fails over a Redis that
	# is merely starved of CPU on a busy test machine); a failover that
	# stalls is retried after 5 s.
	{
		echo "# Written by conf/stack.sh (TOPOLOGY=multi); the sentinel rewrites it."
		echo "bind 127.0.0.1"
		echo "port $port"
		echo "daemonize yes"
		echo "pidfile \"$RUN/sentinel-$i.pid\""
		echo "logfile \"$LOGS/sentinel-$i.log\""
		echo "dir \"$dir\""
		echo "sentinel monitor $(cfg REDIS_SENTINEL_MASTER easychat) 127.0.0.1 $(cfg REDIS_PORT) 2"
		echo "sentinel down-after-milliseconds $(cfg REDIS_SENTINEL_MASTER easychat) 2000"
		echo "sentinel failover-timeout $(cfg REDIS_SENTINEL_MASTER easychat) 5000"
		echo "sentinel parallel-syncs $(cfg REDIS_SENTINEL_MASTER easychat) 1"
		[[ -z $pass ]] || echo "sentinel auth-pass $(cfg REDIS_SENTINEL_MASTER easychat) \"$pass\""
	} >"$dir/sentinel.conf"
	chmod 0600 "$dir/sentinel.conf"
	log "starting Redis sentinel $i on 127.0.0.1:$port"
	redis-server "$dir/sentinel.conf" --sentinel || die "sentinel $i did not start; see $LOGS/sentinel-$i.log"
	wait_for "sentinel $i" "$LOGS/sentinel-$i.log" multi_sentinel_knows "$port"
}

# multi_sentinel_knows PORT: that sentinel names a primary.
multi_sentinel_knows() {
	redis-cli -h 127.0.0.1 -p "$1" SENTINEL get-master-addr-by-name \
		"$(cfg REDIS_SENTINEL_MASTER easychat)" | grep -q '^127'
}

# multi_redis_primary_port: the primary's port as the first sentinel that
# answers names it.
multi_redis_primary_port() {
	local i out
	for ((i = 0; i < MULTI_SENTINELS; i++)); do
		out=$(redis-cli -h 127.0.0.1 -p "$(multi_sentinel_port "$i")" SENTINEL \
			get-master-addr-by-name "$(cfg REDIS_SENTINEL_MASTER easychat)" 2>/dev/null | sed -n 2p)
		[[ $out =~ ^[0-9]+$ ]] && { printf '%s' "$out"; return 0; }
	done
	return 1
}

# The two data nodes: "main" is the one redis_start runs on REDIS_PORT,
# "replica" the one on REDIS_REPLICA_PORT (their roles swap on failover).
multi_redis_node_pidfile() {
	case $1 in
	main) printf '%s' "$RUN/redis.pid" ;;
	replica) printf '%s' "$RUN/redis-replica.pid" ;;
	*) die "no Redis node $1 (main or replica)" ;;
	esac
}

multi_redis_start() {
	local i pass
	pass=$(cfg REDIS_PASSWORD)
	# The first node (redis_start's) may become a replica after a
	# failover: it must then authenticate to the new primary.
	if [[ -n $pass ]]; then
		multi_redis_cli "$(cfg REDIS_PORT)" CONFIG SET masterauth "$pass" >/dev/null
		multi_redis_cli "$(cfg REDIS_PORT)" CONFIG REWRITE >/dev/null
	fi
	multi_redis_node_start replica "$(cfg REDIS_REPLICA_PORT)" "$(cfg REDIS_PORT)"
	for ((i = 0; i < MULTI_SENTINELS; i++)); do
		multi_sentinel_start "$i"
	done
}

# --- the second front ------------------------------------------------------------

# multi_front2 CMD: runs CMD (front_start, or a stop) in the sub-stack
# VARDIR/front-2, a subshell with that stack's paths and configuration.
multi_front2() {
	local parent_env=$ENV_FILE media
	media=$(media_dir)
	(
		set_paths "$VARDIR/front-2"
		mkdir -p "$RUN" "$LOGS" "$VARDIR/tmp"
		if [[ $1 == start ]]; then
			{
				cat -- "$parent_env"
				printf '\n# ---- conf/stack-multi.sh: the second front\n'
				echo "HTTP_PORT=$(cfg FRONT2_PORT)"
				echo "MEDIA_DIR=$media"
			} >"$ENV_FILE"
			load_env "$ENV_FILE"
			if [[ $FRONT == lighttpd ]]; then FRONT=nginx; else FRONT=lighttpd; fi
			front_start
		else
			[[ -r $ENV_FILE ]] || exit 0
			load_env "$ENV_FILE"
			# Strays of this sub-stack are swept with the main
			# stack's (sweep_strays knows the front-2 marker).
			lighttpd_stop
			nginx_stop
		fi
	)
}

# --- the whole set -----------------------------------------------------------------

# multi_start_pg: after the primary is up, before the migrations (which
# go through pgbouncer, and stream to the replica).
multi_start_pg() {
	multi_pg_replica_init
	multi_pg_replica_start
	multi_pgbouncer_start
}

multi_stop() {
	local i
	multi_front2 stop
	for ((i = 0; i < MULTI_SENTINELS; i++)); do
		stop_pidfile "$RUN/sentinel-$i.pid" redis-server "sentinel $i"
	done
	stop_pidfile "$RUN/redis-replica.pid" redis-server "Redis replica"
	multi_pgbouncer_stop
	multi_pg_replica_stop
}

# multi_stack_env: the stack.env lines of a multi stack.
multi_stack_env() {
	kv STACK_TOPOLOGY multi
	kv FRONT_URLS "http://127.0.0.1:$(cfg HTTP_PORT),http://127.0.0.1:$(cfg FRONT2_PORT)"
	kv PG_PORT "$(pg_port)"
	kv PG_REPLICA_PORT "$(cfg PG_REPLICA_PORT)"
	kv REDIS_REPLICA_PORT "$(cfg REDIS_REPLICA_PORT)"
	kv REDIS_SENTINELS "$(cfg REDIS_SENTINELS)"
	kv REDIS_SENTINEL_MASTER "$(cfg REDIS_SENTINEL_MASTER easychat)"
}

# multi_cmd CMD VARDIR [ARGS]: the fault-test commands of conf/stack.sh.
multi_cmd() {
	local cmd=$1 port pidfile
	load_stack "${2:-}"
	is_multi || die "$VARDIR is not a TOPOLOGY=multi stack"
	case $cmd in
	redis-primary)
		multi_redis_primary_port || die "no sentinel names a primary"
		echo
		;;
	redis-kill-primary)
		# SIGKILL, as a crashed host: no goodbye to the clients.
		port=$(multi_redis_primary_port) || die "no sentinel names a primary"
		if [[ $port == "$(cfg REDIS_PORT)" ]]; then pidfile=$RUN/redis.pid; else pidfile=$RUN/redis-replica.pid; fi
		stop_pidfile "$pidfile" redis-server "the Redis primary on $port" KILL
		;;
	redis-node-start)
		# A node comes back as a replica of whichever is primary now,
		# as an operator would start a failed primary: started with its
		# old configuration it would be a second primary until the
		# sentinels notice, taking PUBLISHes that reach nobody.
		pidfile=$(multi_redis_node_pidfile "${3:-}")
		pid_of "$pidfile" redis-server >/dev/null && return 0
		port=$(multi_redis_primary_port) || die "no sentinel names a primary"
		if [[ $3 == main ]]; then
			redis-server "$VARDIR/redis.conf" --replicaof 127.0.0.1 "$port" || die "Redis did not start"
		else
			redis-server "$VARDIR/redis-replica/redis.conf" --replicaof 127.0.0.1 "$port" ||
				die "Redis replica did not start"
		fi
		;;
	pg-replica-stop) multi_pg_replica_stop ;;
	pg-replica-start)
		pg_prepare_owner
		multi_pg_replica_start
		;;
	esac
}
