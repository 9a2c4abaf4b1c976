#!/bin/bash
# The contract every tool keeps: --help, --version, a lint-clean man page, usage errors exit 64.
. "$(dirname "$0")/lib.sh"

tools=$(cd "$SRC/cmd" && ls reg-*.c | sed 's/\.c$//')

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
		test ! -s out && grep -q '^$tool: ' err
	"
	test_expect_success "$tool: man page exists and is lint-clean" "
		test -f '$SRC/man/$tool.1' &&
		{ mandoc -Tlint -W warning '$SRC/man/$tool.1' >lint 2>&1; cat lint; test ! -s lint; }
	"
done

test_done
