#!/bin/bash
# t0980 — installed like a Debian tool: `meson install --destdir` stages tools that run the
# whole pipeline without touching the source and build trees (traced; hidden too where a mount
# namespace can be made), carry no path of the build machine, install no TEST key as an
# authority, and come with their man pages and bash completion.
. "$(dirname "$0")/lib.sh"

export SOURCE_DATE_EPOCH=1795395600

# stage — install into ./stage; $prefix is the staged prefix (stage/usr/local, say).
stage() {
	meson install -C "$REG_BUILD_DIR" --no-rebuild --quiet --destdir "$PWD/stage" >install.log 2>&1 ||
		{ cat install.log; return 1; }
	local tool
	tool=$(find stage -path "*/bin/reg-apply" -type f | head -1) && test -n "$tool" &&
	prefix=$(dirname "$(dirname "$tool")")
}

# alone CMD… — run CMD where it cannot use the source and build trees, and prove it did not:
# every file system call of every process is traced (strace), and none may name a path in
# either tree.  Where a private mount namespace can be made (as root, outside a chroot), the two
# trees are moreover replaced by empty folders for the run, as if moved away.
alone() {
	local -a hide=()
	# (A shell checks the folder OLDPWD names as it starts: not the tools' doing.)
	unset OLDPWD
	if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
		hide=(unshare -m sh -c 'mount -t tmpfs tmpfs "$1" && mount -t tmpfs tmpfs "$2" &&
			shift 2 && exec "$@"' sh "$REG_BUILD_DIR" "$SRC")
	fi
	# The trace starts once the trees are hidden; LeakSanitizer cannot run under ptrace.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		"${hide[@]}" strace -f -qq -e trace=%file -o "$PWD/trace.txt" "$@" || return 1
	: the trace names neither tree &&
	! grep -e "\"$SRC/" -e "\"$SRC\"" -e "\"$REG_BUILD_DIR" trace.txt | head -5 | grep .
}

# in_tree PATH — whether a string printed by strings(1) names PATH as a path of its own (not
# a part of a longer one, such as ../src/libsanitizer for /src).
in_tree() {
	python3 -c '
import re, sys
tree = re.escape(sys.argv[1])
pattern = re.compile(r"(^|[^\w./-])" + tree + r"(/|$|[^\w.-])")
sys.exit(0 if any(pattern.search(line) for line in sys.stdin) else 1)' "$1"
}

test_expect_success 'the staged tools run the pipeline alone, and issue the same bytes' '
	stage &&
	cp -r "$FIXTURES/materials" "$FIXTURES/apps.csv" . &&
	mkdir etc && cp -r "$FIXTURES/authority" etc/ &&
	cat >pipeline.sh <<-EOF &&
	set -e
	cd "$PWD"
	export PATH="$PWD/$prefix/bin:/usr/bin:/bin" REG_DB=installed.db
	export REG_AUTHORITY="$PWD/etc/authority/authority.xml"
	unset REG_DATADIR REG_LOCALEDIR
	reg-apply apps.csv | reg-approve --all | reg-merge | reg-issue -o installed >installed.tsv
	reg-verify installed/*.tar.gz >verified.tsv
	EOF
	alone "$BASH" pipeline.sh 2>alone.err || { cat alone.err; false; } &&
	test "$(wc -l <installed.tsv)" -ge 2 &&
	! grep -v "	ok	" verified.tsv &&
	: the tools of the build tree, on the source tree data, issue the same archives &&
	reg-apply --db built.db apps.csv | reg-approve --db built.db --all |
		reg-merge --db built.db | reg-issue --db built.db -o built >built.tsv 2>/dev/null &&
	for a in installed/*.tar.gz; do cmp "$a" "built/${a#installed/}" || return 1; done
'

test_expect_success 'no path of the build machine in an installed binary' '
	stage &&
	for b in "$prefix"/bin/*; do
		strings -a "$b" >strings.txt &&
		! in_tree "$SRC" <strings.txt && ! in_tree "$REG_BUILD_DIR" <strings.txt ||
			{ echo "$b names the build machine"; return 1; }
	done &&
	: the check itself finds such a path &&
	printf "x\n%s/schemas\n" "$SRC" | in_tree "$SRC" &&
	printf "../../src/libsanitizer\n" | { ! in_tree /src; }
'

test_expect_success 'the TEST authority is not installed; without one the tools say where it goes' '
	stage &&
	test -z "$(find stage -name "*.key" -o -name "authority.xml")" &&
	: an installed tool looks in etc/regkit below its prefix, and says so &&
	cat >noauth.sh <<-EOF &&
	cd "$PWD"
	unset REG_DATADIR REG_AUTHORITY
	"$PWD/$prefix/bin/reg-apply" --db x.db apps.csv
	EOF
	cp "$FIXTURES/apps.csv" . &&
	test_must_fail bash noauth.sh >out 2>err &&
	grep -q "$PWD/$prefix/etc/regkit/authority.xml" err &&
	test ! -s out
'

test_expect_success 'man pages and bash completion are installed, the completion from --help' '
	stage &&
	for t in "$prefix"/bin/reg-*; do
		name=${t##*/} &&
		test -f "$prefix/share/man/man1/$name.1" || { echo "no man page for $name"; return 1; }
		test -f "$prefix/share/bash-completion/completions/$name" ||
			{ echo "no completion for $name"; return 1; }
	done &&
	PATH="$PWD/$prefix/bin:$PATH" bash -c "
		. \"$prefix/share/bash-completion/completions/reg-approve\"
		COMP_WORDS=(reg-approve --dos); COMP_CWORD=1
		_regkit reg-approve
		printf \"%s\n\" \"\${COMPREPLY[@]}\"" >completed &&
	test "$(cat completed)" = --dossier
'

test_done
