#!/bin/bash
# The contract every tool keeps: --help, --version, usage errors exit 64, and a man page that is
# installed, lint-clean and documents every option --help lists.
. "$(dirname "$0")/lib.sh"

# Every tool the build made (cmd/meson.build), not a list kept here: a new tool without a page fails.
tools=$(cd "$REG_BUILD_DIR/cmd" && for f in reg-*; do
	[ -f "$f" ] && [ -x "$f" ] && echo "$f"
done)

test_expect_success 'the build made the tools' '
	test -n "$tools" && echo "$tools" | grep -qx reg-apply
'

# lint PAGE — mandoc's lint with nothing above style level.
lint() {
	mandoc -Tlint -W warning "$1" >lint 2>&1
	cat lint
	test ! -s lint
}

# options HELP — the options a --help names: every --long of its usage lines and of its option
# lines (those starting with a dash), and every -x starting an option line.  Prose that mentions
# another tool's option ("reg-approve --dept") is neither.
options() {
	awk '/^usage:/ { u = 1 } u && !/^(usage:| )/ { u = 0 } u || /^ +-/' "$1" |
		grep -o -- '--[a-z][a-z0-9-]*' | sort -u
	grep -oE '^ +-[a-zA-Z0-9]\b' "$1" | tr -d ' ' | sort -u
}

# documented PAGE HELP — every option HELP names has an entry of its own in an option list of
# PAGE: ".It Fl \-long …" or ".It Fl x …".
documented() {
	local page=$1 help=$2 opt name missing=
	for opt in $(options "$help" | grep -- '^--'); do
		# A hyphen inside the name may be written \- in the page.
		name=$(printf '%s' "${opt#--}" | sed 's/-/(\\\\)?-/g')
		grep -qE "^\.It( .*)? Fl \\\\-$name( |\$)" "$page" || missing="$missing $opt"
	done
	for opt in $(options "$help" | grep -v -- '^--'); do
		grep -qE "^\.It( .*)? Fl ${opt#-}( |\$)" "$page" || missing="$missing $opt"
	done
	[ -z "$missing" ] || { echo "$page does not document:$missing"; return 1; }
}

for tool in $tools; do
	usage_code=64
	# reg-diff alone follows diff(1): 0 same, 1 different, 2 any trouble (docs/exit-codes.md).
	[ "$tool" = reg-diff ] && usage_code=2
	test_expect_success "$tool: --help and --version on stdout, exit 0" "
		$tool --help >out 2>err && grep -q '^usage: $tool' out && test ! -s err &&
		$tool --version >out && grep -q '^$tool (regkit) [0-9]' out
	"
	test_expect_success "$tool: an unknown option is a usage error ($usage_code) on stderr" "
		test_expect_code $usage_code $tool --no-such-option >out 2>err &&
		test ! -s out && grep -q '^$tool: ' err &&
		: one message naming the option, then the pointer to --help, nothing else &&
		printf '%s\\n' \"$tool: unknown option '--no-such-option'\" \"Try '$tool --help' for more information.\" >expect &&
		test_cmp expect err &&
		test_expect_code $usage_code $tool --help=x >out 2>err &&
		test \"\$(head -1 err)\" = \"$tool: option '--help' takes no value\" &&
		test_expect_code $usage_code $tool -Z >out 2>err &&
		test \"\$(head -1 err)\" = \"$tool: unknown option '-Z'\" && test \"\$(wc -l <err)\" = 2
	"
	test_expect_success "$tool: man page exists, is installed and is lint-clean" "
		test -f '$SRC/man/$tool.1' &&
		grep -q \"'$tool.1'\" '$SRC/man/meson.build' &&
		lint '$SRC/man/$tool.1'
	"
	test_expect_success "$tool: man page documents every option of --help" "
		$tool --help >help && documented '$SRC/man/$tool.1' help
	"
	test_expect_success "$tool: man page renders and names regkit(7)" "
		MANWIDTH=80 man -l '$SRC/man/$tool.1' >page 2>err && test ! -s err &&
		grep -q 'regkit(7)' page
	"
done

test_expect_success 'regkit(7): the overview exists, is installed, lint-clean and renders' '
	grep -q "'"'"'regkit.7'"'"'" "$SRC/man/meson.build" &&
	lint "$SRC/man/regkit.7" &&
	MANWIDTH=80 man -l "$SRC/man/regkit.7" >page 2>err && test ! -s err
'

test_expect_success 'regkit(7) names every tool and every exit code' '
	for tool in $tools; do
		grep -q "^\.Xr $tool 1" "$SRC/man/regkit.7" || { echo "no $tool"; return 1; }
	done &&
	for code in $(sed -n "s/^\tREG_E[A-Z]* = \([0-9]*\),.*/\1/p" "$SRC/libreg/errors.h"); do
		grep -q "^\.It $code\$" "$SRC/man/regkit.7" || { echo "no exit code $code"; return 1; }
	done
'

test_done
