#!/bin/bash
# Every tool that reads dossiers reads a stream as it comes (docs/decisions.md, "Streams"): a
# dossier complete before something that is not one is processed, then the tool stops with 65
# naming where and what that something is; an empty input says so, also 65.
. "$(dirname "$0")/lib.sh"
NOW=2026-11-23T09:00:00+08:00
LATER=2026-11-23T10:00:00+08:00
HOSTILE="python3 $SRC/tests/t/t0320/hostile.py"

# fixtures/apps.xml's first application as one.xml, its material files beside it; $lines: how
# many lines it has.
one_dossier() {
	cp -r "$FIXTURES/materials" . &&
	$HOSTILE materials 0 >one.xml &&
	lines=$(wc -l <one.xml)
}

# One application accepted (accepted.xml), approved (approved.xml), registry r.db.
accepted_and_approved() {
	one_dossier &&
	reg-apply --db r.db --now $NOW one.xml >accepted.xml &&
	reg-approve --db r.db --now $LATER --all accepted.xml >approved.xml &&
	grep -q "state=\"approved\"" approved.xml
}

test_expect_success 'an empty input is "empty input", exit 65, for every tool' '
	test_new_registry r.db && sqlite3 r.db .dump >before &&
	for tool in reg-apply "reg-approve --all" "reg-approve --dept tax" reg-merge "reg-issue -o out"; do
		test_expect_code 65 $tool --db r.db --now $LATER </dev/null >out.xml 2>err &&
		echo "${tool%% *}: -: empty input" >expect && test_cmp expect err &&
		printf " \n\t\n" >blank.xml &&
		test_expect_code 65 $tool --db r.db --now $LATER blank.xml >out.xml 2>err &&
		echo "${tool%% *}: blank.xml: empty input (only white space)" >expect &&
		test_cmp expect err && test ! -s out.xml || return 1
	done &&
	sqlite3 r.db .dump >after && test_cmp before after
'

test_expect_success 'reg-apply: a dossier, then text: the dossier is accepted, then 65 says where' '
	one_dossier &&
	{ cat one.xml; printf "<!-- a comment is fine -->\n   junk after\n"; } >junk.xml &&
	test_expect_code 65 reg-apply --db r.db --now $NOW junk.xml >out.xml 2>err &&
	echo "reg-apply: junk.xml:$((lines + 2)): text '"'"'junk'"'"' after the dossier (column 4)" >expect &&
	test_cmp expect err &&
	grep -q "^<dossier .*state=\"accepted\"" out.xml &&
	test "$(test_rows r.db dossiers)" = 1
'

test_expect_success 'reg-apply: a second root element is named' '
	one_dossier &&
	{ cat one.xml; echo "<dossier/>"; } >two.xml &&
	test_expect_code 65 reg-apply --db r.db --now $NOW two.xml >out.xml 2>err &&
	echo "reg-apply: two.xml:$((lines + 1)): a second root element <dossier> after the dossier (column 1)" >expect &&
	test_cmp expect err &&
	test "$(test_rows r.db dossiers)" = 1
'

test_expect_success 'reg-approve, reg-merge and reg-issue: the dossier first, then 65' '
	accepted_and_approved &&
	{ cat accepted.xml; echo "junk"; } >acc-junk.xml &&
	{ cat approved.xml; echo "<x/>"; } >app-junk.xml &&
	test_expect_code 65 reg-approve --db r.db --now $LATER --dept tax acc-junk.xml >out.xml 2>err &&
	grep -q "^reg-approve: acc-junk.xml:[0-9]*: text .junk. after the dossier (column 1)$" err &&
	: tax decided already, so the dossier passes through as it came &&
	grep -q "<dossier" out.xml && ! grep -q "dept=\"tax\"" out.xml &&
	test_expect_code 65 reg-merge --db r.db --now $LATER app-junk.xml >out.xml 2>err &&
	grep -q "^reg-merge: app-junk.xml:[0-9]*: a second root element <x> after the dossier (column 1)$" err &&
	grep -q "state=\"approved\"" out.xml &&
	test_expect_code 65 reg-issue --db r.db --now $LATER -o issued app-junk.xml >out.txt 2>err &&
	grep -q "^reg-issue: app-junk.xml:[0-9]*: a second root element <x> after the dossier (column 1)$" err &&
	test "$(ls issued | wc -l)" = 1 &&
	test "$(wc -l <out.txt)" = 1
'

# wait_for FILE PATTERN — until FILE holds PATTERN (at most 20 s): the writer of a pipe waits
# for the tool's output before it writes more.
wait_for() {
	local i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "waited 20 s for '$2' in $1" >&2; return 1; }
		sleep 0.1
	done
}

test_expect_success 'a dossier that comes alone is accepted and issued at once, not held for a group' '
	one_dossier &&
	sed "s|<name>乌海市恒泰商贸有限公司</name>|<name>乌海市恒泰百货有限公司</name>|" one.xml >two.xml &&
	body() { sed -e "1d" "$1"; } &&
	: reg-apply: the second dossier is written only once the first is out &&
	{ echo "<batch xmlns=\"urn:regkit:dossier:1\">"; body one.xml; wait_for acc.xml "<acceptance " &&
	  body two.xml; echo "</batch>"; } | timeout 60 reg-apply --db r.db --now $NOW >acc.xml &&
	test "$(grep -c "<acceptance " acc.xml)" = 2 &&
	reg-approve --db r.db --now $LATER --all acc.xml >approved.xml 2>/dev/null &&
	head -n $(($(grep -n "</dossier>" approved.xml | head -1 | cut -d: -f1))) approved.xml >first.xml &&
	{ cat first.xml; wait_for issued.tsv "tar.gz" &&
	  sed -n "$(($(wc -l <first.xml) + 1)),\$p" approved.xml; } |
		timeout 60 reg-issue --db r.db --now $LATER -o out >issued.tsv 2>/dev/null &&
	test "$(wc -l <issued.tsv)" = 2
'

test_done
