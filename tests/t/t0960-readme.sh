#!/bin/bash
# t0960 — README.md's tour runs as written: the clerk's, the integrator's and the auditor's
# commands, from a checkout (fixtures/ and bench/ beside the tour's folder).
. "$(dirname "$0")/lib.sh"

# The shell blocks between <!-- tour --> and <!-- /tour -->, in order.
tour() {
	sed -n '/^<!-- tour -->$/,/^<!-- \/tour -->$/p' "$SRC/README.md" |
		awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0; next } on'
}

test_expect_success 'the tour is there and is shell' '
	tour >tour.sh && test "$(wc -l <tour.sh)" -gt 10 && bash -n tour.sh
'

test_expect_success 'the tour runs from a checkout and shows what it says' '
	tour >tour.sh &&
	ln -s "$SRC/fixtures" fixtures && ln -s "$SRC/bench" bench &&
	bash -e tour.sh >out.txt 2>err.txt &&
	cat out.txt &&
	: the clerk: two archive lines, the commitments listed &&
	test "$(grep -c "^91150302MA[0-9A-Z]*	out/[0-9A-Z]*\.tar\.gz	[0-9a-f]\{64\}$" out.txt)" -ge 2 &&
	: the integrator: five more archives &&
	grep -qx "5" out.txt &&
	: the auditor: every archive ok, the registry agrees, openssl verifies the tax verdict &&
	grep -q "^ *25 ok$" out.txt &&
	grep -qx "ok" out.txt &&
	grep -qx "Signature Verified Successfully" out.txt
'

test_done
