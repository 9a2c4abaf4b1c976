# lib.sh — what the bench scripts share: their arguments, and how a section reaches
# bench/RESULTS.md.  Sourced by bench/*.sh (bash), which set SRC to the source tree first.

# bench_args DEFAULT_N MIN_N "$@" — parse "[--record] [N]": sets `record` (true or false) and N.
bench_args() {
	local default=$1 min=$2
	shift 2
	record=false
	if [ "${1-}" = --record ]; then
		record=true
		shift
	fi
	N=${1:-$default}
	case $N in
	'' | *[!0-9]*) N=-1 ;;
	esac
	if [ "$N" -lt "$min" ]; then
		echo "usage: $0 [--record] [N]   (N ≥ $min)" >&2
		exit 2
	fi
}

# bench_record NAME SECTION — put SECTION into bench/RESULTS.md between the markers
# <!-- bench/NAME --> and <!-- /bench/NAME -->: in place of the previous run's section (notes
# written by hand inside the markers go with it), or at the end of the file.
bench_record() {
	python3 - "$SRC/bench/RESULTS.md" "$1" "$2" <<'PY'
import os, sys
path, name, section = sys.argv[1:4]
begin, end = "<!-- bench/%s -->" % name, "<!-- /bench/%s -->" % name
block = begin + "\n" + section.strip("\n") + "\n" + end
if os.path.exists(path):
    text = open(path, encoding="utf-8").read()
else:
    text = ("# regkit benchmark results\n\n"
            "Measured by the scripts in bench/ (docs/targets.md); newest sections last.\n")
if begin in text and end in text:
    head, rest = text.split(begin, 1)
    text = head + block + rest.split(end, 1)[1]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w", encoding="utf-8").write(text)
PY
}

# bench_release_build DIR TARGET… — a normal release build in DIR (never sanitized: ASan
# inflates memory), whatever DIR held before, and the targets built; 2 and a message on failure.
bench_release_build() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" -Dbuildtype=release -Db_sanitize=none >/dev/null
	else
		meson setup "$dir" --buildtype=release -Db_sanitize=none >/dev/null
	fi || { echo "$0: meson could not set up $dir" >&2; exit 2; }
	ninja -C "$dir" "$@" >/dev/null || { echo "$0: build failed" >&2; exit 2; }
}

# bench_environment — the tools see the source tree's data and nothing of the caller's
# configuration, as in the tests.
bench_environment() {
	export REG_DATADIR=$SRC LC_ALL=C.UTF-8 TZ=UTC
	unset REG_DB REG_CATALOG REG_AUTHORITY REG_WINDOW REG_CLERK SOURCE_DATE_EPOCH REG_BUSY_TIMEOUT_MS
}
