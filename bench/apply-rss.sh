#!/bin/bash
# apply-rss.sh — reg-apply's peak memory and speed on a large generated batch (docs/targets.md).
#
#   bench/apply-rss.sh [--record] [N]        (N defaults to 100000)
#
# Builds a normal release build in bench/build (never sanitized: ASan inflates memory),
# generates N valid applications with bench/gen-apps.py and runs
#
#   1. reg-apply --db <tmp> --now 2026-11-23T09:00:00+08:00 apps.csv >/dev/null
#        peak RSS (must stay under 64 MiB) and wall time;
#   2. the same into a fresh registry with the accepted dossiers written to a file: the accepted
#      XML, made once;
#   3. reg-apply over the same applications as XML (the accepted XML without <acceptance> and
#      state), into a fresh registry, output to /dev/null;
#   4. xmllint --noout --schema schemas/dossier.xsd over the accepted XML;
#
# and prints wall time per dossier for 1, 3 and 4 (docs/targets.md: reg-apply at least as fast
# per dossier as xmllint --schema) as a Markdown section; --record also writes that section
# into bench/RESULTS.md, between its markers (bench/lib.sh).  Peak RSS is ru_maxrss of the one
# child, through a small python3 wrapper (resource.getrusage(RUSAGE_CHILDREN)), so nothing
# beyond the project's own tools is needed.  Wall times include whatever else the machine is doing: the section records the load
# average.
#
# Exit status: 0 when reg-apply's peak RSS is under 64 MiB, 1 when it is not, 2 when the bench
# itself could not run (build failure, a rejected application, a tool missing).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/bench/lib.sh"
bench_args 100000 1 "$@"
BUILD=$SRC/bench/build
NOW=2026-11-23T09:00:00+08:00
LIMIT_KIB=$((64 * 1024))

die() {
	echo "apply-rss: $*" >&2
	exit 2
}

command -v python3 >/dev/null || die "python3 is needed"
command -v xmllint >/dev/null || die "xmllint is needed (libxml2-utils)"

# A release build, whatever the directory held before.
if [ -f "$BUILD/build.ninja" ]; then
	meson configure "$BUILD" -Dbuildtype=release -Db_sanitize=none >/dev/null || die "meson configure failed"
else
	meson setup "$BUILD" --buildtype=release -Db_sanitize=none >/dev/null || die "meson setup failed"
fi
ninja -C "$BUILD" cmd/reg-apply >/dev/null || die "build failed"
APPLY=$BUILD/cmd/reg-apply

TMP=$(mktemp -d "${TMPDIR:-/tmp}/apply-rss.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
export REG_DATADIR=$SRC LC_ALL=C.UTF-8 TZ=UTC
unset REG_DB REG_CATALOG REG_AUTHORITY REG_WINDOW REG_CLERK SOURCE_DATE_EPOCH REG_BUSY_TIMEOUT_MS

# measure OUT ERR CMD… — run CMD with stdout to OUT and stderr to ERR; print
# "exit-status wall-seconds peak-rss-KiB".
measure() {
	python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as o, open(err, "wb") as e:
    start = time.monotonic()
    rc = subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=o, stderr=e)
    wall = time.monotonic() - start
print(rc, "%.3f" % wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
}

# per_dossier SECONDS → microseconds per dossier
per_dossier() {
	python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) * 1e6 / int(sys.argv[2])))' "$1" "$N"
}
mib() {
	python3 -c 'import sys; print("%.1f" % (int(sys.argv[1]) / 1024))' "$1"
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
echo "apply-rss: generating $N applications" >&2
python3 "$SRC/bench/gen-apps.py" "$N" -o "$TMP/apps.csv" || die "gen-apps.py failed"

echo "apply-rss: 1. reg-apply CSV -> /dev/null" >&2
read -r rc csv_wall csv_rss < <(measure /dev/null "$TMP/err1" \
	"$APPLY" --db "$TMP/r1.db" --now "$NOW" "$TMP/apps.csv")
[ "$rc" = 0 ] || { head -5 "$TMP/err1" >&2; die "reg-apply exited $rc on the generated batch"; }

echo "apply-rss: 2. reg-apply CSV -> accepted.xml" >&2
read -r rc _ _ < <(measure "$TMP/accepted.xml" "$TMP/err2" \
	"$APPLY" --db "$TMP/r2.db" --now "$NOW" "$TMP/apps.csv")
[ "$rc" = 0 ] || die "reg-apply exited $rc writing the accepted XML"
accepted=$(grep -c '<dossier ' "$TMP/accepted.xml")
[ "$accepted" = "$N" ] || die "$accepted dossiers accepted, not $N"
sed -e '/^ *<acceptance /d' -e 's/ state="accepted"//' "$TMP/accepted.xml" >"$TMP/apps.xml"
xml_bytes=$(wc -c <"$TMP/accepted.xml")
rm -f "$TMP"/r1.db* "$TMP"/r2.db*

echo "apply-rss: 3. reg-apply XML -> /dev/null" >&2
read -r rc xml_wall xml_rss < <(measure /dev/null "$TMP/err3" \
	"$APPLY" --db "$TMP/r3.db" --now "$NOW" "$TMP/apps.xml")
[ "$rc" = 0 ] || { head -5 "$TMP/err3" >&2; die "reg-apply exited $rc on the XML batch"; }
rm -f "$TMP"/r3.db*

echo "apply-rss: 4. xmllint --schema" >&2
read -r rc lint_wall lint_rss < <(measure /dev/null "$TMP/err4" \
	xmllint --noout --schema "$SRC/schemas/dossier.xsd" "$TMP/accepted.xml")
[ "$rc" = 0 ] || { head -5 "$TMP/err4" >&2; die "xmllint exited $rc on the accepted XML"; }

csv_us=$(per_dossier "$csv_wall")
xml_us=$(per_dossier "$xml_wall")
lint_us=$(per_dossier "$lint_wall")
if [ "$csv_rss" -lt "$LIMIT_KIB" ]; then rss_verdict="under 64 MiB: pass"; status=0
else rss_verdict="NOT under 64 MiB: FAIL"; status=1; fi
faster() { python3 -c 'import sys; print("yes" if float(sys.argv[1]) <= float(sys.argv[2]) else "no")' "$1" "$2"; }

section=$(cat <<EOF

## reg-apply: peak RSS and speed per dossier (${started%% *})

bench/apply-rss.sh $N, started $started; $(nproc) cores ($(uname -m)),
load average $load at the start (other work shares the machine: wall times are upper bounds);
bench/build: buildtype=release, b_sanitize=none, $(cc --version | head -1);
$(xmllint --version 2>&1 | head -1).
Input: $N applications from bench/gen-apps.py (seed 1), $(wc -c <"$TMP/apps.csv") bytes of CSV;
accepted XML $xml_bytes bytes. Each reg-apply run starts from an empty registry.

| run | wall s | µs per dossier | peak RSS MiB |
|---|---|---|---|
| reg-apply, CSV → /dev/null | $csv_wall | $csv_us | $(mib "$csv_rss") |
| reg-apply, the same as XML → /dev/null | $xml_wall | $xml_us | $(mib "$xml_rss") |
| xmllint --noout --schema schemas/dossier.xsd, accepted XML | $lint_wall | $lint_us | $(mib "$lint_rss") |

- reg-apply peak RSS $(mib "$csv_rss") MiB: $rss_verdict.
- reg-apply (which also checks names, ids, shares and materials, numbers every dossier and
  commits one registry transaction each) at least as fast per dossier as xmllint --schema:
  CSV $(faster "$csv_us" "$lint_us"), XML $(faster "$xml_us" "$lint_us").
EOF
)
echo "$section"
if $record; then
	bench_record apply-rss.sh "$section"
	echo "apply-rss: written to bench/RESULTS.md" >&2
fi
exit $status
