#!/usr/bin/env bash
# The project's test command (README.md). It does its own set-up on a fresh
# machine: Go modules, the npm packages of the Node-based tests (when their
# package.json exists), and a throwaway PostgreSQL on 127.0.0.1 for the store
# tests (skipped with a clear message only when PostgreSQL cannot be started).
#
#   scripts/test.sh go test -race -shuffle=on -timeout 30m ./...   the README's test command (what .ci/run runs)
#   scripts/test.sh go test -race -short ./...                     quicker: skips the 2000-client storm and long tests
#   scripts/test.sh                                                 the same as the first line
#
# It checks gofmt and go vet, sets up the Node packages and PostgreSQL, then
# runs the given command with LIVELY_TEST_DATABASE_URL exported.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
	set -- go test -race -shuffle=on -timeout 30m ./...
fi

echo "== go: $(go version)"
go mod download

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

# npm packages for Node-based tests: every package-lock.json of ours.
if command -v npm >/dev/null 2>&1; then
	while IFS= read -r lock; do
		d=$(dirname "$lock")
		echo "== npm ci in $d"
		(cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
	done < <(git ls-files '*package-lock.json' 2>/dev/null | grep -v node_modules || true)
else
	echo "== npm not found: Node-based tests will skip"
fi

# PostgreSQL for the store conformance and restart tests.
pgdir=""
cleanup() {
	if [ -n "$pgdir" ]; then
		scripts/postgres.sh stop "$pgdir" >/dev/null 2>&1 || true
		rm -rf "$pgdir"
	fi
}
trap cleanup EXIT
if [ -z "${LIVELY_TEST_DATABASE_URL:-}" ]; then
	pgdir=$(mktemp -d /tmp/lively-test-pg.XXXXXX)
	chmod 755 "$pgdir"
	if url=$(scripts/postgres.sh start "$pgdir"); then
		export LIVELY_TEST_DATABASE_URL="$url"
		echo "== PostgreSQL at $url"
	else
		echo "== PostgreSQL could not be started: PostgreSQL tests will skip"
		rm -rf "$pgdir"; pgdir=""
	fi
fi

echo "== $*"
"$@"
