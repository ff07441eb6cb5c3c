#!/usr/bin/env bash
# Runs the performance scenarios of docs/performance.md against lively-actor
# and the bench relay baseline, side by side on this machine, and regenerates
# the results tables of docs/performance.md from their JSON reports (the
# tables are never typed by hand).
#
#   scripts/perf.sh             every scenario (about 8 minutes), then the tables
#   scripts/perf.sh --hold      also the 19k-connection hold (10 more minutes)
#   scripts/perf.sh --only-hold just the hold
#   scripts/perf.sh --quick     short windows and fewer connections: a smoke of
#                               the script itself; prints the table, leaves the
#                               docs alone
#   scripts/perf.sh --no-docs   print the tables, leave docs/performance.md alone
#
# Every server and relay is a fresh process on 127.0.0.1 (a free port), stopped
# when its scenario ends. PERF_OUT names the directory for the binary, the logs
# and the JSON reports (default: a new temporary directory, kept).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

quick=0 hold=0 main=1 docs=1
for a in "$@"; do
	case "$a" in
	--quick) quick=1 docs=0 ;;
	--hold) hold=1 ;;
	--only-hold) hold=1 main=0 ;;
	--no-docs) docs=0 ;;
	*) echo "usage: scripts/perf.sh [--hold|--only-hold] [--quick] [--no-docs]" >&2; exit 2 ;;
	esac
done

out=${PERF_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/lively-perf.XXXXXX")}
mkdir -p "$out"
bin="$out/lively-actor"
echo "== building $bin"
go build -o "$bin" ./cmd/lively-actor

pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT

# start NAME KIND: starts a fresh server (KIND=server) or relay (KIND=relay)
# and sets URL and PID.
start() {
	local name=$1 kind=$2 log="$out/$1.log" i
	if [ "$kind" = server ]; then
		"$bin" --addr 127.0.0.1:0 --memory --log-level warn >"$log" 2>&1 &
	else
		"$bin" bench relay --addr 127.0.0.1:0 >"$log" 2>&1 &
	fi
	PID=$!
	pids+=("$PID")
	URL=""
	for i in $(seq 100); do
		URL=$(grep -o -m1 'ws://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null || true)
		[ -n "$URL" ] && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "$name did not start; its log:" >&2
	cat "$log" >&2
	exit 1
}

stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# bench NAME ARGS...: one bench run; a run that saw errors (exit 1) is kept
# in the table, which shows them.
bench() {
	local name=$1
	shift
	echo "== $name: lively-actor bench $*"
	if ! "$bin" bench "$@" --no-progress --json "$out/$name.json" >"$out/$name.txt" 2>&1; then
		echo "   (exit status $?: see $out/$name.txt)"
	fi
	tail -n 4 "$out/$name.txt" | sed 's/^/   /'
}

if [ $quick = 1 ]; then
	win=(--warmup 1s --duration 3s --drain 2s)
	idle_conns=2000 storm=300 hold_conns=2000 hold_time=30s
else
	win=()
	idle_conns=10000 storm=2000 hold_conns=19000 hold_time=10m
fi

files=()
if [ $main = 1 ]; then
	# Idle memory: each side on a fresh process, one run each (a second run
	# on the same process would reuse the heap the first one grew).
	start server server; sp=$PID su=$URL
	bench idle-ours idle --url "$su" --conns $idle_conns --clients 5 --server-pid "$sp" "${win[@]}"
	stop "$sp"
	start relay relay; rp=$PID ru=$URL
	bench idle-relay idle --url "$ru" --conns $idle_conns --clients 5 --server-pid "$rp" "${win[@]}"
	stop "$rp"
	files+=("$out/idle-ours.json" "$out/idle-relay.json")

	# Fan-out: A (lively-actor) B (relay) A B on one fresh pair per scenario.
	for sc in "fanout-200:--rooms 1 --clients 200 --hz 20" \
		"fanout-1000x5:--rooms 1000 --clients 5 --hz 5" \
		"fanout-max:--rooms 1 --clients 50 --rate max"; do
		name=${sc%%:*}
		read -r -a args <<<"${sc#*:}"
		start server server; sp=$PID su=$URL
		start relay relay; rp=$PID ru=$URL
		bench "$name" fanout --url "$su" --compare "$ru" --server-pid "$sp" --server-pid2 "$rp" "${args[@]}" "${win[@]}"
		stop "$sp"
		stop "$rp"
		files+=("$out/$name.json")
	done

	# Join storm: protocol logic, so lively-actor only.
	start server server; sp=$PID su=$URL
	bench joinstorm joinstorm --url "$su" --clients $storm --server-pid "$sp"
	stop "$sp"
	files+=("$out/joinstorm.json")
fi

hold_files=()
if [ $hold = 1 ]; then
	# 19k connections (the file-descriptor limit here is 20k per process)
	# held with heartbeats; memory is read at the start and the end.
	start server server; sp=$PID su=$URL
	bench hold idle --url "$su" --conns $hold_conns --clients 10 --heartbeat 30s \
		--warmup 30s --duration $hold_time --connect-timeout 120s --server-pid "$sp"
	stop "$sp"
	hold_files+=("$out/hold.json")
fi

# The machine the figures come from.
host="$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//')), $(uname -sr), $(go version | cut -d' ' -f3)"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null | head -1)" ]; then
	commit="$commit + uncommitted changes"
fi
stamp="Measured $(date -u +%Y-%m-%d) at commit $commit on $host; server and load generator on the same machine. JSON reports: \`$out\`."

render() { # render OUTFILE FILES...
	local dst=$1
	shift
	{
		echo "$stamp"
		echo
		"$bin" bench results "$@"
	} >"$dst"
}

# replace_block FILE NAME CONTENT: replaces the lines between
# <!-- perf:NAME:begin --> and <!-- perf:NAME:end --> with CONTENT's.
replace_block() {
	local file=$1 name=$2 content=$3
	awk -v b="<!-- perf:$name:begin -->" -v e="<!-- perf:$name:end -->" -v f="$content" '
		$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip { print }
	' "$file" >"$file.tmp"
	mv "$file.tmp" "$file"
}

if [ ${#files[@]} -gt 0 ]; then
	render "$out/results.md" "${files[@]}"
	echo
	cat "$out/results.md"
	[ $docs = 1 ] && replace_block "$root/docs/performance.md" results "$out/results.md"
fi
if [ ${#hold_files[@]} -gt 0 ]; then
	render "$out/hold.md" "${hold_files[@]}"
	{
		echo
		echo '```'
		cat "$out/hold.txt"
		echo '```'
	} >>"$out/hold.md"
	echo
	cat "$out/hold.md"
	[ $docs = 1 ] && replace_block "$root/docs/performance.md" hold "$out/hold.md"
fi
echo
echo "reports in $out"
