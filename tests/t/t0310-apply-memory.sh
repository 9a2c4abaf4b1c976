#!/bin/bash
# reg-apply keeps its memory flat: a generated batch of 20 000 applications is accepted whole
# with a peak RSS under 64 MiB (docs/targets.md; bench/run --rss measures 100 000 and 999 999).
# Memory means nothing under AddressSanitizer, so a sanitized build skips the test; meson passes
# the build's b_sanitize as REG_SANITIZED.
if [ "${REG_SANITIZED-}" != none ]; then
	echo "1..0 # SKIP sanitized build (b_sanitize=${REG_SANITIZED-unknown})"
	exit 0
fi
. "$(dirname "$0")/lib.sh"
NOW=2026-11-23T09:00:00+08:00
ROWS=20000

test_expect_success "$ROWS generated applications are accepted in under 64 MiB" '
	python3 "$SRC/bench/gen-apps.py" $ROWS -o apps.csv &&
	test "$(wc -l <apps.csv)" = $((ROWS + 1)) &&
	measure out.xml reg-apply --db r.db --now $NOW apps.csv >measured &&
	read -r code kib seconds <measured &&
	echo "reg-apply exit $code, peak RSS $kib KiB, $seconds s" &&
	test "$code" = 0 &&
	test "$(grep -c "<dossier " out.xml)" = $ROWS &&
	test "$(test_rows r.db dossiers)" = $ROWS &&
	test "$kib" -gt 0 &&
	test "$kib" -lt $((64 * 1024))
'

test_done
