#!/bin/bash
# t0560 — reg-notice: the notices a window prints, filled from the registry alone, each rendered
# by rsvg-convert as an A4 sheet; a reprint is the same bytes under the same reference number,
# and a notice that does not apply is refused with nothing recorded.
. "$(dirname "$0")/lib.sh"

if ! command -v rsvg-convert >/dev/null; then
	echo "1..0 # SKIP rsvg-convert not installed (librsvg2-bin: sh scripts/bootstrap test)"
	exit 0
fi
export SOURCE_DATE_EPOCH=1795395600
NOW=2026-11-23T09:00:00+08:00
REVIEW=2026-11-23T10:00:00+08:00
LATER=2026-11-24T10:00:00+08:00
NUM=150302-20261123-000001

dump() {
	sqlite3 r.db .dump
}

# The recycling company of the fixtures, accepted into r.db.
lvyuan() {
	test_accept_lvyuan r.db $NOW
}

# notice OUT KIND [ARG…] — print a notice of $NUM into OUT/ at $LATER.
notice() {
	local dir=$1
	shift
	reg-notice --db r.db --now "${AT:-$LATER}" -o "$dir" "$@"
}

# a4 SVG… — each renders to a PNG of one A4 sheet at 96 dpi.
a4() {
	local svg size
	for svg in "$@"; do
		rsvg-convert -b white -o "${svg%.svg}.png" "$svg" &&
		size=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8] == b"\x89PNG\r\n\x1a\n" else "not a PNG")' "${svg%.svg}.png") &&
		{ test "$size" = 794x1123 || { echo "$svg: $size"; return 1; }; } || return 1
	done
}

test_expect_success 'the acceptance receipt: items, promised times, commitments; one number, reprinted alike' '
	lvyuan &&
	notice n receipt $NUM >out &&
	test "$(cat out)" = "n/$NUM-receipt.svg	$(sha256sum <n/$NUM-receipt.svg | cut -d" " -f1)" &&
	a4 n/$NUM-receipt.svg &&
	grep -q "受理通知书" n/$NUM-receipt.svg &&
	grep -q "乌海市绿源再生资源有限公司" n/$NUM-receipt.svg &&
	grep -q "回收经营场地及设施证明" n/$NUM-receipt.svg &&
	grep -q "2026年12月18日" n/$NUM-receipt.svg &&
	grep -q "市监受字〔2026〕第1号" n/$NUM-receipt.svg &&
	test "$(sqlite3 r.db "select count(*) from events where kind = '"'notice'"'")" = 1 &&
	: a reprint a day later: the same sheet, no new number &&
	AT=2026-11-25T15:00:00+08:00 notice again receipt $NUM >/dev/null &&
	cmp n/$NUM-receipt.svg again/$NUM-receipt.svg &&
	test "$(sqlite3 r.db "select count(*) from events where kind = '"'notice'"'")" = 1
'

test_expect_success 'the one-time notice lists what commerce asks for; refused, and nothing recorded, before' '
	lvyuan &&
	dump >before &&
	test_expect_code 1 notice n onetime $NUM 2>err &&
	grep -q "^reg-notice: dossier $NUM is accepted: no department asks it for a supplement$" err &&
	test ! -e n/$NUM-onetime.svg &&
	dump >after && test_cmp before after &&
	reg-approve --db r.db --now $REVIEW --dept commerce --dossier $NUM --item recycling \
		--verdict supplement --reviewer 王芳 --reason "回收经营场地证明不清晰，请补正" \
		accepted.xml >/dev/null 2>&1 &&
	notice n onetime $NUM >/dev/null &&
	a4 n/$NUM-onetime.svg &&
	grep -q "一次性告知书" n/$NUM-onetime.svg &&
	grep -q "回收经营场地证明不清晰" n/$NUM-onetime.svg &&
	grep -q ">商务局<" n/$NUM-onetime.svg &&
	grep -q "市监补字〔2026〕第1号" n/$NUM-onetime.svg
'

test_expect_success 'the rejection notice carries the department'\''s reasons, only for a rejected dossier' '
	lvyuan &&
	reg-approve --db r.db --now $REVIEW --all accepted.xml >all.xml 2>/dev/null &&
	dump >before &&
	test_expect_code 1 notice n rejection $NUM 2>err &&
	grep -q "is approved, not rejected: no rejection notice" err &&
	dump >after && test_cmp before after &&
	reg-approve --db r.db --now $LATER --dept tax --dossier $NUM --verdict rejected \
		--reason "欠缴税款，不予办理税务登记" --reviewer 赵税 all.xml >tax.xml 2>/dev/null &&
	reg-merge --db r.db --now $LATER tax.xml >/dev/null &&
	test "$(sqlite3 r.db "select state from dossiers")" = rejected &&
	notice n rejection $NUM >/dev/null &&
	a4 n/$NUM-rejection.svg &&
	grep -q "不予登记通知书" n/$NUM-rejection.svg &&
	grep -q "欠缴税款，不予办理税务登记" n/$NUM-rejection.svg &&
	grep -q "税务局" n/$NUM-rejection.svg
'

test_expect_success 'a transfer slip as a letter to the supervising body; an unissued slip is refused' '
	lvyuan &&
	dump >before &&
	test_expect_code 1 notice n slip $NUM --item tax-registration --step transfer 2>err &&
	grep -q "was issued for .tax-registration. of dossier $NUM" err &&
	dump >after && test_cmp before after &&
	reg-status --db r.db --now 2026-11-25T18:00:00+08:00 --escalate -o slips >/dev/null 2>&1 &&
	test -e slips/$NUM-tax-registration-transfer.xml &&
	notice n slip $NUM --item tax-registration --step transfer >/dev/null &&
	s=n/$NUM-tax-registration-transfer.svg &&
	a4 $s &&
	grep -q "移交函" $s &&
	grep -q "乌海市海勃湾区人民政府" $s &&
	grep -q "税务" $s &&
	test_expect_code 64 notice n slip $NUM 2>/dev/null
'

test_expect_success 'an overdue commitment yields its notice; once fulfilled, none' '
	lvyuan &&
	test_expect_code 1 notice n overdue $NUM 2>err &&
	grep -q "owes no commitment past its due date" err &&
	AT=2026-12-21T10:00:00+08:00 notice n overdue $NUM >/dev/null &&
	a4 n/$NUM-overdue.svg &&
	grep -q "承诺逾期通知书" n/$NUM-overdue.svg &&
	grep -q "回收经营场地及设施证明" n/$NUM-overdue.svg &&
	grep -q ">3日<" n/$NUM-overdue.svg &&
	echo "场地租赁合同" >materials/lvyuan/site.txt &&
	reg-supply --db r.db --now 2026-12-21T11:00:00+08:00 $NUM \
		recycling-site-proof=materials/lvyuan/site.txt >/dev/null 2>&1 &&
	dump >before &&
	AT=2026-12-22T10:00:00+08:00 test_expect_code 1 notice n2 overdue $NUM 2>err &&
	grep -q "owes no commitment past its due date" err &&
	dump >after && test_cmp before after
'

test_expect_success 'an unknown dossier and a bad request change nothing' '
	lvyuan && dump >before &&
	test_expect_code 1 notice n receipt 150302-20261123-000099 2>err &&
	grep -q "150302-20261123-000099" err &&
	test_expect_code 64 notice n bogus $NUM 2>/dev/null &&
	test_expect_code 64 reg-notice --db r.db receipt $NUM 2>/dev/null &&
	dump >after && test_cmp before after
'

test_done
