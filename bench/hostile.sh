#!/bin/bash
# hostile.sh — time and memory of the tools on records with absurdly long lists: a record with
# 10^5 list entries must answer in under a second (docs/decisions.md, "A record's lists are
# capped").
#
#   bench/hostile.sh [--record]
#
# Builds a normal release build in bench/build (never sanitized: ASan inflates memory) and runs,
# each into a registry that has what the input needs and nothing else:
#
#   1. reg-apply on a CSV row with 140 000 unknown materials;
#   2. reg-apply on an XML dossier with 200 000 materials;
#   3. reg-apply on an XML dossier with 5 000 materials (under the element cap: the catalog's
#      count refuses it);
#   4. reg-approve --all and reg-merge on an accepted dossier carrying 40 000 bogus approvals;
#   5. the same with 5 000 (under the element cap: the 1 000-approval cap refuses it);
#
# (the inputs are tests/t/t0320/hostile.py's, the test of the same refusals) and prints wall
# time, peak RSS and exit status of each as a Markdown section; --record also writes it into
# bench/RESULTS.md between its markers (bench/lib.sh).  Every run must end in under a second and
# 64 MiB; exit status 0 when they all do, 1 when one does not, 2 when the bench could not run.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/bench/lib.sh"
record=false
case "$*" in
'') ;;
--record) record=true ;;
*) echo "usage: $0 [--record]" >&2; exit 2 ;;
esac
BUILD=$SRC/bench/build
NOW=2026-11-23T09:00:00+08:00
LATER=2026-11-23T10:00:00+08:00
HOSTILE="python3 $SRC/tests/t/t0320/hostile.py"

die() {
	echo "hostile: $*" >&2
	exit 2
}

command -v python3 >/dev/null || die "python3 is needed"
bench_release_build "$BUILD" cmd/reg-apply cmd/reg-approve cmd/reg-merge
TOOLS=$BUILD/cmd
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hostile.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
bench_environment

# measure ERR CMD… — run CMD in $TMP, stdout to /dev/null, stderr to ERR; print
# "exit-status wall-seconds peak-rss-KiB".
measure() {
	(cd "$TMP" && python3 - "$@" <<'PY'
import resource, subprocess, sys, time
err, cmd = sys.argv[1], sys.argv[2:]
with open(err, "wb") as e:
    start = time.monotonic()
    rc = subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=e)
    wall = time.monotonic() - start
print(rc, "%.3f" % wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
	)
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
cp -r "$SRC/fixtures/materials" "$TMP/"
$HOSTILE csv-materials 140000 >"$TMP/csv-140000.csv"
$HOSTILE materials 200000 >"$TMP/xml-200000.xml"
$HOSTILE materials 5000 >"$TMP/xml-5000.xml"
$HOSTILE materials 0 >"$TMP/one.xml"
(cd "$TMP" && "$TOOLS/reg-apply" --db r.db --now "$NOW" one.xml >accepted.xml) ||
	die "the fixture was not accepted"
$HOSTILE approvals 40000 "$TMP/accepted.xml" >"$TMP/approvals-40000.xml"
$HOSTILE approvals 5000 "$TMP/accepted.xml" >"$TMP/approvals-5000.xml"

rows=""
status=0
# run LABEL INPUT CMD… — one row of the table.
run() {
	local label=$1 input=$2 rc wall rss
	shift 2
	echo "hostile: $label" >&2
	read -r rc wall rss < <(measure "$TMP/err" "$@" "$input")
	local said
	said=$(grep -v " applications rejected$\| dossiers refused$" "$TMP/err" | head -1 |
	       sed 's/^[^ ]*: [^ ]*: //; s/|/\\|/g')
	local ok
	ok=$(python3 -c 'import sys; print("yes" if float(sys.argv[1]) < 1 and int(sys.argv[2]) < 65536 else "NO")' "$wall" "$rss")
	[ "$ok" = yes ] || status=1
	rows="$rows
| $label | $(wc -c <"$TMP/$input") | $rc | $wall | $(python3 -c 'import sys; print("%.1f" % (int(sys.argv[1]) / 1024))' "$rss") | $ok | $said |"
}

run "reg-apply, CSV row of 140 000 unknown materials" csv-140000.csv \
	"$TOOLS/reg-apply" --db a1.db --now "$NOW"
run "reg-apply, XML dossier of 200 000 materials" xml-200000.xml \
	"$TOOLS/reg-apply" --db a2.db --now "$NOW"
run "reg-apply, XML dossier of 5 000 materials" xml-5000.xml \
	"$TOOLS/reg-apply" --db a3.db --now "$NOW"
run "reg-approve --all, 40 000 bogus approvals" approvals-40000.xml \
	"$TOOLS/reg-approve" --db r.db --now "$LATER" --all
run "reg-merge, 40 000 bogus approvals" approvals-40000.xml \
	"$TOOLS/reg-merge" --db r.db --now "$LATER"
run "reg-approve --all, 5 000 bogus approvals" approvals-5000.xml \
	"$TOOLS/reg-approve" --db r.db --now "$LATER" --all
run "reg-merge, 5 000 bogus approvals" approvals-5000.xml \
	"$TOOLS/reg-merge" --db r.db --now "$LATER"

section=$(cat <<EOF

## Hostile lists: every record answers in under a second and 64 MiB (${started%% *})

bench/hostile.sh, started $started; $(nproc) cores ($(uname -m)), load average $load at the
start (other work shares the machine: wall times are upper bounds); bench/build:
buildtype=release, b_sanitize=none, $(cc --version | head -1).  Inputs from
tests/t/t0320/hostile.py (fixtures/apps.csv's and apps.xml's first application); the approvals
are added to that application once accepted.

| input | bytes | exit | wall s | peak RSS MiB | < 1 s and 64 MiB | the first message |
|---|---|---|---|---|---|---|$rows
EOF
)
echo "$section"
if $record; then
	bench_record hostile.sh "$section"
	echo "hostile: written to bench/RESULTS.md" >&2
fi
exit $status
