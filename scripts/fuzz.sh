#!/bin/sh
# fuzz.sh — run the three libFuzzer targets (tests/fuzz) for a while each, under ASan/UBSan.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default 300 seconds each; targets: dossier csv archive)
#
# Needs clang with libFuzzer (Debian 12: apt-get install clang libclang-rt-14-dev); neither is
# needed to build or test regkit, whose test suite runs the same targets through a small
# deterministic mutator (tests/fuzz/driver.c).  Builds build-fuzz/ (CC=clang, -Dfuzzing=true),
# copies each target's seeds into a throw-away corpus, runs the target there for SECONDS and
# prints libFuzzer's last line per target.  A crash leaves its input as build-fuzz/crash-* and
# makes the exit status 1; replay it with build-fuzz/tests/fuzz-TARGET FILE.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-300}
[ $# -gt 0 ] && shift
targets=${*:-dossier csv archive}
build=$src/build-fuzz

command -v clang >/dev/null || { echo "fuzz.sh: needs clang (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null
fi
ninja -C "$build" >/dev/null

export REG_DATADIR="$src" ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for t in $targets; do
	mkdir -p "$tmp/$t"
	case $t in
	dossier) cp "$src"/tests/hostile/xml/*.xml "$src/fixtures/apps.xml" "$tmp/$t/" ;;
	csv) cp "$src"/fixtures/*.csv "$src"/fixtures/bad/*.csv "$tmp/$t/" ;;
	archive) cp "$src"/tests/hostile/archives/*.tar.gz "$src/tests/fuzz/genuine.tar.gz" "$tmp/$t/" ;;
	*) echo "fuzz.sh: unknown target $t (dossier, csv, archive)" >&2; exit 64 ;;
	esac
	echo "== fuzz-$t, $secs s" >&2
	if (cd "$build" && "$build/tests/fuzz-$t" "$tmp/$t" -max_total_time="$secs" \
		-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$tmp/$t.log" 2>&1); then
		grep -E '^#[0-9]+[[:space:]]+DONE' "$tmp/$t.log" | tail -1 | sed "s/^/fuzz-$t: /"
		grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$tmp/$t.log" | sed "s/^/fuzz-$t: /"
	else
		status=1
		echo "fuzz-$t: FAILED" >&2
		grep -E 'ERROR|SUMMARY|Test unit written' "$tmp/$t.log" >&2 || tail -20 "$tmp/$t.log" >&2
	fi
done
exit $status
