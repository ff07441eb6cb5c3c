#!/usr/bin/env bash
# Throwaway PostgreSQL server for tests.
#
#   scripts/postgres.sh start <dir>   start a server on 127.0.0.1 (a free port), print its URL on stdout
#   scripts/postgres.sh url <dir>     print the URL of the server started in <dir>
#   scripts/postgres.sh stop <dir>    stop it (the data stays in <dir>; rm -rf <dir> to drop it)
#
# Example:
#   export LIVELY_TEST_DATABASE_URL=$(scripts/postgres.sh start /tmp/lively-pg)
#   go test ./store/...
#   scripts/postgres.sh stop /tmp/lively-pg
#
# The server uses trust authentication (user postgres, no password), listens on 127.0.0.1 only, has no
# Unix socket, and keeps fsync on. If initdb/pg_ctl are not installed (PATH, /usr/lib/postgresql/*/bin)
# and we are root on Debian/Ubuntu, the script installs the postgresql package with apt-get (without
# creating or starting the distribution's own cluster). PostgreSQL refuses to run as root, so as root
# the server runs as the "postgres" user (or "nobody" when there is none).
#
# Only the URL goes to stdout; progress and errors go to stderr.
# Exit codes: 0 ok, 1 failure, 2 usage, 3 PostgreSQL unavailable (not installed and cannot install).
set -euo pipefail

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() {
	log "$2"
	exit "$1"
}

usage() { die 2 "usage: $0 start|url|stop <dir>"; }

[ $# -eq 2 ] || usage
cmd=$1
dir=$2
[ -n "$dir" ] || usage

# find_bin sets bindir to a directory holding both initdb and pg_ctl, or returns 1.
find_bin() {
	local p d
	if p=$(command -v initdb 2>/dev/null); then
		d=$(dirname "$(readlink -f "$p")")
		if [ -x "$d/pg_ctl" ]; then
			bindir=$d
			return 0
		fi
	fi
	# Debian/Ubuntu keep the server binaries out of PATH; take the newest version.
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			bindir=$d
			return 0
		fi
	done
	return 1
}

install_postgres() {
	if [ "$(id -u)" -ne 0 ]; then
		die 3 "PostgreSQL (initdb, pg_ctl) is not installed and we are not root to install it"
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		die 3 "PostgreSQL (initdb, pg_ctl) is not installed and apt-get is not available to install it"
	fi
	log "PostgreSQL not found; installing it with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	local apt=(apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	if ! apt-cache show postgresql >/dev/null 2>&1; then
		"${apt[@]}" update >&2 || die 3 "apt-get update failed; cannot install PostgreSQL"
	fi
	# Install postgresql-common first and tell it not to create (and start) a "main" cluster on 5432,
	# like the official postgres Docker image does.
	"${apt[@]}" install --no-install-recommends postgresql-common >&2 ||
		die 3 "apt-get install postgresql-common failed; cannot install PostgreSQL"
	local conf=/etc/postgresql-common/createcluster.conf conftext
	if [ -f "$conf" ]; then
		conftext=$(sed -r 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*$/create_main_cluster = false/' "$conf")
		printf '%s\n' "$conftext" >"$conf"
	fi
	"${apt[@]}" install --no-install-recommends postgresql >&2 ||
		die 3 "apt-get install postgresql failed; cannot install PostgreSQL"
	find_bin || die 3 "installed postgresql but found no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
}

# run_as runs a command as the server's user, from a directory that user can enter.
run_as() {
	if [ -z "$pguser" ]; then
		(cd / && "$@")
	elif command -v runuser >/dev/null 2>&1; then
		(cd / && runuser -u "$pguser" -- "$@")
	else
		(cd / && su -s /bin/sh "$pguser" -c '"$0" "$@"' -- "$@")
	fi
}

pick_user() {
	pguser=""
	if [ "$(id -u)" -eq 0 ]; then
		if id postgres >/dev/null 2>&1; then
			pguser=postgres
		else
			pguser=nobody
		fi
	fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

url_for() { printf 'postgres://postgres@127.0.0.1:%s/postgres?sslmode=disable\n' "$1"; }

# state files in <dir>, written by us: base (directory holding data/ and server.log), port.
state_base() { cat "$dir/postgres.base" 2>/dev/null || true; }

running() {
	local base=$1
	[ -n "$base" ] && [ -f "$base/data/postmaster.pid" ] &&
		run_as "$bindir/pg_ctl" -D "$base/data" status >/dev/null 2>&1
}

start() {
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	find_bin || install_postgres
	pick_user

	local base
	base=$(state_base)
	if running "$base"; then
		log "already running ($base/data)"
		url_for "$(cat "$dir/postgres.port")"
		return 0
	fi

	if [ -z "$base" ] || [ ! -d "$base/data" ]; then
		base=$dir/pg
		rm -rf "$base"
		mkdir -p "$base"
		[ -z "$pguser" ] || chown "$pguser:" "$base"
		chmod 700 "$base"
		if ! run_as test -w "$base"; then
			# A parent of <dir> is closed to $pguser (e.g. under /root): keep the cluster in /tmp.
			rm -rf "$base"
			base=$(mktemp -d /tmp/lively-pg.XXXXXX)
			[ -z "$pguser" ] || chown "$pguser:" "$base"
			log "$dir is not accessible to user $pguser; keeping the cluster in $base"
		fi
		echo "$base" >"$dir/postgres.base"
		log "initdb $base/data (${pguser:-$(id -un)}, $bindir)"
		if ! run_as "$bindir/initdb" -D "$base/data" -U postgres -A trust -E UTF8 --locale=C \
			>"$dir/initdb.log" 2>&1; then
			cat "$dir/initdb.log" >&2
			die 1 "initdb failed"
		fi
	fi

	local attempt port
	for attempt in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		port_in_use "$port" && continue
		{
			echo "# added by scripts/postgres.sh"
			echo "port = $port"
			echo "listen_addresses = '127.0.0.1'"
			echo "unix_socket_directories = ''"
			echo "max_connections = 200"
		} | run_as tee -a "$base/data/postgresql.conf" >/dev/null
		if run_as "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 start >&2; then
			echo "$port" >"$dir/postgres.port"
			log "started on 127.0.0.1:$port (log: $base/server.log)"
			url_for "$port"
			return 0
		fi
		log "start on port $port failed (attempt $attempt); server log:"
		tail -n 5 "$base/server.log" >&2 || true
	done
	die 1 "could not start PostgreSQL"
}

stop() {
	[ -d "$dir" ] || die 1 "$dir does not exist"
	dir=$(cd "$dir" && pwd)
	local base
	base=$(state_base)
	[ -n "$base" ] || die 1 "no server was started in $dir"
	find_bin || die 3 "PostgreSQL is not installed"
	pick_user
	if running "$base"; then
		run_as "$bindir/pg_ctl" -D "$base/data" -m fast -w -t 60 stop >&2
	else
		log "not running"
	fi
	if [ "$base" != "$dir/pg" ]; then
		rm -rf "$base" "$dir/postgres.base" "$dir/postgres.port"
	fi
}

url() {
	dir=$(cd "$dir" && pwd)
	find_bin || die 3 "PostgreSQL is not installed"
	pick_user
	running "$(state_base)" || die 1 "no server running in $dir"
	url_for "$(cat "$dir/postgres.port")"
}

case $cmd in
start) start ;;
stop) stop ;;
url) url ;;
*) usage ;;
esac
