# lib.sh — end-to-end tests in git's t/ style, printing TAP for `meson test`.
#
#   . "$(dirname "$0")/lib.sh"
#   test_expect_success 'what the user relies on' '
#       reg-verify --uscc 914403001922038216 >out &&
#       test_cmp expect out
#   '
#   test_done
#
# Each test runs in a fresh empty directory below one scratch folder (removed at the end) with
# the built tools first on PATH, the source tree as REG_DATADIR, no configuration inherited
# from the caller and XDG_STATE_HOME a folder of the case's own (outside its directory).  $FIXTURES is the shipped fixtures folder, $SRC the source tree.
set -u
: "${REG_BUILD_DIR:?run me through meson test}" "${REG_SOURCE_DIR:?run me through meson test}"
PATH="$REG_BUILD_DIR/cmd:$PATH"
SRC=$REG_SOURCE_DIR
FIXTURES=$SRC/fixtures
# The tools speak English here whatever the caller's locale (LC_ALL beats LANG), and find their
# translations in the build tree (docs/i18n.md) for the tests that ask for another language.
export PATH REG_DATADIR="$SRC" REG_LOCALEDIR="$REG_BUILD_DIR/po" LC_ALL=C.UTF-8 TZ=UTC
unset LANGUAGE REG_DB REG_CATALOG REG_AUTHORITY REG_WINDOW REG_CLERK SOURCE_DATE_EPOCH
test_count=0
test_failed=0
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/regkit-t.XXXXXX") || exit 1
trap 'rm -rf "$TRASH"' EXIT

# The body runs inside a function so that "|| return 1" in its loops ends the case, as in git's
# test-lib; a bare eval would print an error and go on.
test_run_body() {
	eval "$1"
}

test_expect_success() {
	local desc=$1 body=$2 dir
	test_count=$((test_count + 1))
	dir=$TRASH/$test_count
	mkdir -p "$dir"
	# REG_TEST_TRACE=1 shows each command of a failing case in its log — on a descriptor of its
	# own, so a trace never lands in a file a case greps (2>err).
	[ -z "${REG_TEST_TRACE:-}" ] || body="exec 9>&1; BASH_XTRACEFD=9; set -x; $body"
	# The form's history and draft (reg-apply -i) in a state folder of the case's own.
	if (export XDG_STATE_HOME=$TRASH/state/$test_count && cd "$dir" &&
		test_run_body "$body") >"$dir.log" 2>&1 </dev/null; then
		echo "ok $test_count - $desc"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $desc"
		sed 's/^/#   /' "$dir.log" | tail -n "${REG_TEST_LOG_LINES:-40}"
	fi
}

# A controlled failure: any exit from 1 to 125 passes; success, "not found" or a signal
# (a crash, a sanitizer abort) does not.
test_must_fail() {
	"$@"
	local code=$?
	if [ "$code" -eq 0 ]; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	elif [ "$code" -gt 125 ]; then
		echo "test_must_fail: '$*' died with $code" >&2
		return 1
	fi
	return 0
}

# test_expect_code N cmd… — the command must exit exactly N.
test_expect_code() {
	local want=$1 code
	shift
	"$@"
	code=$?
	if [ "$code" -ne "$want" ]; then
		echo "test_expect_code: '$*' exited $code, wanted $want" >&2
		return 1
	fi
	return 0
}

test_cmp() {
	diff -u "$1" "$2"
}

# The number of rows of a table in an SQLite registry (no sqlite3 binary needed by users,
# but the tests may use it).
# test_new_registry DB — an empty registry, made the one way a registry is made: reg-apply, here
# on an empty batch.  The other tools never create one (registry.h).
test_new_registry() {
	printf '<batch xmlns="urn:regkit:dossier:1"/>\n' | reg-apply --db "$1" >/dev/null &&
	test -s "$1"
}

# measure OUT CMD… — run CMD with stdin from /dev/null and stdout to OUT (stderr is the caller's);
# print "exit-status peak-RSS-KiB wall-seconds" (ru_maxrss of the one child).  Memory means
# nothing under AddressSanitizer: test_memory_counts says whether to check it.
measure() {
	python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
start = time.monotonic()
with open(sys.argv[1], "wb") as out:
    rc = subprocess.call(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=out)
took = time.monotonic() - start
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "%.3f" % took)
EOF
}

# test_accept_lvyuan DB TIME — the fixtures' recycling company (one commitment:
# recycling-site-proof) accepted at TIME into DB, with its materials copied here; its dossier in
# accepted.xml.
test_accept_lvyuan() {
	cp -r "$FIXTURES/materials" . &&
	sed -n "1p;3p" "$FIXTURES/apps.csv" >one.csv &&
	reg-apply --db "$1" --now "$2" one.csv >accepted.xml
}

# True when the build is not sanitized (meson passes b_sanitize as REG_SANITIZED).
test_memory_counts() {
	test "${REG_SANITIZED-}" = none
}

# test_sql REGISTRY SQL — run SQL on a registry of either backend (an SQLite path, or a libpq
# URI through psql), rows as lines of |-separated fields.
test_sql() {
	case $1 in
	postgresql://* | postgres://*)
		psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2" ;;
	*)
		sqlite3 "$1" "$2" ;;
	esac
}

test_rows() {
	test_sql "$1" "SELECT count(*) FROM $2"
}

# test_pg_db NAME — a new empty database on the server REG_TEST_PG (or $2, another server's base
# URI); prints its URI.  test_pg_drop_all drops every one made (they are listed in a file:
# test bodies run in subshells).
test_pg_db() {
	local base=${2:-$REG_TEST_PG}
	psql -X -q -v ON_ERROR_STOP=1 -d "$base" \
		-c "CREATE DATABASE $1 TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" \
		>/dev/null || return 1
	printf '%s|%s\n' "$1" "$base" >>"$TRASH/pg-databases"
	printf '%s\n' "$base" | sed "s|^\(postgres[a-z]*://[^/?]*\)/[^?]*|\1/$1|"
}

test_pg_drop_all() {
	local name base
	[ -f "$TRASH/pg-databases" ] || return 0
	while IFS='|' read -r name base; do
		psql -X -q -d "$base" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1
	done <"$TRASH/pg-databases"
	rm -f "$TRASH/pg-databases"
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}
