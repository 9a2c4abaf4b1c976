# lib.sh — what bench/hostile.sh needs besides its own measurements: how a section reaches
# bench/RESULTS.md, the release build, the environment.  Sourced (bash) after SRC is set to the
# source tree.  (bench/run, the speed and memory benchmark, is python3 and stands alone.)

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
            "Measured by bench/run and bench/hostile.sh; newest sections last.\n")
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
