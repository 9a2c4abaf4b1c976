#!/bin/bash
# Records with absurdly long lists (docs/decisions.md, "A record's lists are capped": a record
# with 10^5 list entries answers in under a second): each is refused in bounded time and
# memory, names what is wrong once, and leaves the registry as it was.  The bound is 5 s,
# generous enough for a sanitized build; memory (64 MiB) is checked only on a normal build.
# bench/hostile.sh measures a release build (bench/RESULTS.md).
. "$(dirname "$0")/lib.sh"
NOW=2026-11-23T09:00:00+08:00
LATER=2026-11-23T10:00:00+08:00
HOSTILE="python3 $SRC/tests/t/t0320/hostile.py"

# bounded EXIT OUT CMD… — CMD exits EXIT within 5 s (and under 64 MiB on a normal build).
bounded() {
	local want=$1 out=$2 code kib seconds
	shift 2
	measure "$out" "$@" >measured || return 1
	read -r code kib seconds <measured
	echo "$1: exit $code, peak RSS $kib KiB, $seconds s"
	test "$code" = "$want" &&
	python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 5 else 1)" "$seconds" &&
	{ ! test_memory_counts || test "$kib" -lt $((64 * 1024)); }
}

# The registry's whole content, to compare before and after.
dump() {
	sqlite3 r.db .dump
}

test_expect_success 'a CSV row with 140 000 unknown materials: one problem of its column' '
	test_new_registry r.db && dump >before &&
	$HOSTILE csv-materials 140000 >big.csv &&
	bounded 1 out.xml reg-apply --db r.db --now $NOW big.csv 2>err &&
	cat >expect <<-\EOT &&
	reg-apply: big.csv:2: materials: more than 200 items
	reg-apply: 1 of 1 applications rejected
	EOT
	test_cmp expect err &&
	dump >after && test_cmp before after
'

test_expect_success 'an XML dossier with 200 000 materials stops at the element cap (65)' '
	test_new_registry r.db && dump >before &&
	$HOSTILE materials 200000 >big.xml &&
	bounded 65 out.xml reg-apply --db r.db --now $NOW big.xml 2>err &&
	grep -q "^reg-apply: big.xml:[0-9]*: dossier with more than 10000 elements$" err &&
	test "$(wc -l <err)" = 1 &&
	test ! -s out.xml &&
	dump >after && test_cmp before after
'

test_expect_success 'a list longer than the catalog is refused by its length' '
	test_new_registry r.db && dump >before &&
	$HOSTILE materials 5000 >long.xml &&
	bounded 1 out.xml reg-apply --db r.db --now $NOW long.xml 2>err &&
	grep -q "^reg-apply: long.xml:[0-9]*: /dossier/materials/material: more than 16 materials (the catalog has 16 material types, each given at most once)$" err &&
	test "$(wc -l <err)" = 2 &&
	$HOSTILE csv-materials 17 >long.csv &&
	test_expect_code 1 reg-apply --db r.db --now $NOW long.csv 2>err &&
	grep -q "^reg-apply: long.csv:2: materials: more than 16 materials" err &&
	dump >after && test_cmp before after
'

test_expect_success 'a material, a commitment or a request twice is named once each' '
	test_new_registry r.db && dump >before &&
	cp -r "$FIXTURES/materials" . &&
	$HOSTILE materials 0 | sed -e "s|</materials>|<material type=\"articles\" sighted=\"true\"/></materials><commitments><commitment material=\"appointment\" due=\"2026-12-01\"/><commitment material=\"appointment\" due=\"2026-12-02\"/></commitments>|" \
		-e "s|<materials>|<requests><request item=\"1\"/><request item=\"business-license\"/></requests><materials>|" >twice.xml &&
	test_expect_code 1 reg-apply --db r.db --now $NOW twice.xml 2>err &&
	grep -q "/dossier/materials/material: .articles. is given twice (each material type at most once)$" err &&
	grep -q "/dossier/commitments/commitment: .appointment. is deferred twice (each material at most once)$" err &&
	grep -q "/dossier/requests/request: item .business-license. is requested twice$" err &&
	test "$(wc -l <err)" = 4 &&
	dump >after && test_cmp before after
'

test_expect_success 'an LLC has at most 50 shareholders, a joint-stock company 200 promoters' '
	test_new_registry r.db && dump >before &&
	cp -r "$FIXTURES/materials" . &&
	$HOSTILE shareholders 201 >jsc.xml &&
	test_expect_code 1 reg-apply --db r.db --now $NOW jsc.xml 2>err &&
	grep -q "shareholders: more than 200 shareholders: a joint-stock company has at most 200 promoters (发起人, 公司法)" err &&
	test "$(wc -l <err)" = 2 &&
	sed -e "s|股份有限公司|有限公司|" -e "s|<form>jsc</form>|<form>llc</form>|" jsc.xml >llc.xml &&
	test_expect_code 1 reg-apply --db r.db --now $NOW llc.xml 2>err &&
	grep -q "shareholders: more than 50 shareholders: a limited liability company has at most 50 shareholders (公司法)$" err &&
	test "$(wc -l <err)" = 2 &&
	dump >after && test_cmp before after
'

test_expect_success 'a record shows 100 problems, then counts the rest exactly' '
	test_new_registry r.db && dump >before &&
	cp -r "$FIXTURES/materials" . &&
	$HOSTILE shareholders 150 >many.xml &&
	bounded 1 out.xml reg-apply --db r.db --now $NOW --rejects rej.xml many.xml 2>err &&
	test "$(grep -c "check character should be" err)" = 100 &&
	sed -n 101p err | grep -q "^reg-apply: many.xml:[0-9]*: and 51 more problems$" &&
	test "$(wc -l <err)" = 102 &&
	test "$(grep -c "<problem " rej.xml)" = 101 &&
	grep -q ">and 51 more problems</problem>" rej.xml &&
	dump >after && test_cmp before after
'

# An accepted dossier, and the registry with it.
accepted() {
	cp -r "$FIXTURES/materials" . &&
	$HOSTILE materials 0 >one.xml &&
	reg-apply --db r.db --now $NOW one.xml >accepted.xml &&
	sqlite3 r.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
}

test_expect_success '40 000 bogus approvals: reg-approve and reg-merge stop at the element cap' '
	accepted && dump >before &&
	$HOSTILE approvals 40000 accepted.xml >bogus.xml &&
	for tool in "reg-approve --all" "reg-approve --dept tax" reg-merge; do
		bounded 65 out.xml $tool --db r.db --now $LATER bogus.xml 2>err &&
		grep -q "^reg-[a-z]*: bogus.xml:[0-9]*: dossier with more than 10000 elements$" err &&
		test ! -s out.xml || return 1
	done &&
	dump >after && test_cmp before after
'

test_expect_success 'more than 1 000 approvals: the dossier is refused where it is read for review' '
	accepted && dump >before &&
	$HOSTILE approvals 5000 accepted.xml >bogus.xml &&
	for tool in "reg-approve --all" "reg-approve --dept tax" reg-merge; do
		bounded 1 out.xml $tool --db r.db --now $LATER bogus.xml 2>err &&
		grep -q "^reg-[a-z]*: bogus.xml:[0-9]*: /dossier/approvals: more than 1000 approvals$" err &&
		test "$(wc -l <err)" = 2 || return 1
	done &&
	dump >after && test_cmp before after
'

test_done
