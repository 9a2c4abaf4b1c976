#!/bin/bash
# reg-status: registry views, promised time limits and the escalation ladder (三单一函).
# Limits are working time on the test authority's calendar (08:30-12:00, 14:30-18:00): accepted
# Monday 09:00, a P0.5D item (3h30m) reaches 75% at 11:37:30, 100% at 15:00, 150% at 16:45 and
# 200% on Tuesday at 09:00; tests/t/t0425-working-time.sh has weekends, holidays and pauses.
. "$(dirname "$0")/lib.sh"
NOW=2026-11-23T09:00:00+08:00
EXPECT=$SRC/tests/t/t0420
# Every department of the shipped catalog but tax.
ALL_BUT_TAX="amr hrss stats police commerce drug ciq customs housing tourism"

# accept FILE: the fixture applications, accepted at $NOW into r.db.
accept() {
	reg-apply --db r.db --now $NOW "$FIXTURES/$1" >accepted.xml
}

at() {
	echo "2026-11-23T$1+08:00"
}

test_expect_success 'the default view lists every dossier with its answered and applicable items' '
	accept apps-zh-header.csv &&
	reg-status --db r.db --now "$(at 12:00:00)" >out &&
	cat >expect <<-EOF &&
	number	name	state	accepted	answered	applicable
	150302-20261123-000001	乌海市蒙峰建材有限公司	accepted	2026-11-23T09:00:00+08:00	0	6
	150302-20261123-000002	乌海市聚福源快餐有限公司	accepted	2026-11-23T09:00:00+08:00	0	6
	150302-20261123-000003	乌海市星辰网络科技有限责任公司	accepted	2026-11-23T09:00:00+08:00	0	6
	EOF
	test_cmp expect out
'

test_expect_success 'applicable counts follow each dossier body (filings by scope and request)' '
	accept apps.csv &&
	reg-status --db r.db --now "$(at 12:00:00)" >out &&
	test "$(wc -l <out)" = 21 &&
	grep -q "^150302-20261123-000002	乌海市绿源再生资源有限公司	accepted	.*	0	7$" out
'

test_expect_success '--state filters; an unknown state is a usage error' '
	accept apps-zh-header.csv &&
	reg-status --db r.db --state accepted >out &&
	test "$(wc -l <out)" = 4 &&
	reg-status --db r.db --state issued >out &&
	echo "number	name	state	accepted	answered	applicable" >expect &&
	test_cmp expect out &&
	test_expect_code 64 reg-status --db r.db --state done 2>err &&
	grep -q "^reg-status: unknown state .done." err
'

test_expect_success 'a department that never answered is chased from the stored body: 75% exactly is a reminder' '
	accept apps-zh-header.csv &&
	reg-status --db r.db --now "$(at 11:37:29)" --overdue >out &&
	test "$(wc -l <out)" = 1 &&
	reg-status --db r.db --now "$(at 11:37:30)" --overdue >out &&
	test "$(wc -l <out)" = 19 &&
	grep -c "	no-answer	P0.5D	PT2H37M30S	2026-11-23T15:00:00+08:00	reminder	提醒单$" out >n &&
	test "$(cat n)" = 18 &&
	for d in amr tax hrss stats police; do grep -q "	$d	no-answer" out || exit 1; done
'

test_expect_success '--pending also lists reviews before the first rung, with the step left empty' '
	accept apps.csv &&
	reg-status --db r.db --now "$(at 12:00:00)" --pending >out &&
	grep -q "^150302-20261123-000002	recycling	commerce	no-answer	P5D	PT3H	2026-11-30T09:00:00+08:00		$" out &&
	reg-status --db r.db --now "$(at 12:00:00)" --overdue >overdue &&
	! grep -q "	P5D	" overdue &&
	test "$(grep -c "	reminder	" out)" = "$(($(wc -l <overdue) - 1))"
'

test_expect_success 'a rejected or issued dossier is no longer chased' '
	accept apps-zh-header.csv &&
	sqlite3 r.db "UPDATE dossiers SET state = '\''rejected'\'' WHERE number LIKE '\''%-000001'\''" &&
	sqlite3 r.db "UPDATE dossiers SET state = '\''issued'\'' WHERE number LIKE '\''%-000002'\''" &&
	reg-status --db r.db --now "$(at 17:00:00)" --overdue >out &&
	test "$(wc -l <out)" = 7 &&
	test "$(cut -f1 out | sort -u | grep -c 150302)" = 1 &&
	grep -q "^150302-20261123-000003	" out
'

test_expect_success '--xml gives the same rows as urn:regkit:status:1' '
	accept apps-zh-header.csv &&
	reg-status --db r.db --now "$(at 15:00:00)" --overdue --xml >out.xml &&
	xmllint --noout out.xml &&
	head -2 out.xml >head &&
	cat >expect <<-EOF &&
	<?xml version="1.0" encoding="UTF-8"?>
	<status xmlns="urn:regkit:status:1" view="overdue" now="2026-11-23T15:00:00+08:00">
	EOF
	test_cmp expect head &&
	grep -q "<review number=\"150302-20261123-000001\" item=\"tax-registration\" dept=\"tax\" why=\"no-answer\" limit=\"P0.5D\" elapsed=\"PT3H30M\" deadline=\"2026-11-23T15:00:00+08:00\" step=\"urging\" step-zh=\"催办单\"/>" out.xml &&
	test "$(grep -c "<review " out.xml)" = 18 &&
	reg-status --db r.db --xml >d.xml &&
	test "$(grep -c "<dossier number=.* answered=\"0\" applicable=\"6\"/>" d.xml)" = 3 &&
	reg-status --db r.db --state issued --xml >e.xml &&
	xmllint --noout e.xml
'

test_expect_success 'commitments falling due within 3 days, then overdue after their day' '
	accept apps.csv &&
	reg-status --db r.db --now "$(at 12:00:00)" --commitments >out &&
	echo "number	material	due	status" >expect &&
	test_cmp expect out &&
	reg-status --db r.db --now 2026-11-29T09:00:00+08:00 --commitments >out &&
	echo "150302-20261123-000010	premises-proof	2026-12-01	falling-due" >>expect &&
	test_cmp expect out &&
	reg-status --db r.db --now 2026-12-01T23:59:59+08:00 --commitments >out &&
	test_cmp expect out &&
	reg-status --db r.db --now 2026-12-03T00:00:00+08:00 --commitments >out &&
	cat >expect <<-EOF &&
	number	material	due	status
	150302-20261123-000010	premises-proof	2026-12-01	overdue
	150302-20261123-000016	appointment	2026-12-05	falling-due
	EOF
	test_cmp expect out &&
	reg-status --db r.db --now 2026-12-03T00:00:00+08:00 --commitments --within P20D >out &&
	test "$(wc -l <out)" = 17
'

test_expect_success '--escalate writes each due slip once, addressed to its department' '
	accept apps-zh-header.csv &&
	reg-status --db r.db --now "$(at 16:00:00)" --escalate -o slips >out 2>err &&
	test "$(ls slips | wc -l)" = 36 &&
	test "$(ls -A slips | wc -l)" = 36 &&
	test "$(wc -l <out)" = 37 &&
	head -1 out | grep -q "^number	item	dept	step	file$" &&
	grep -q "^150302-20261123-000003	tax-registration	tax	urging	slips/150302-20261123-000003-tax-registration-urging.xml$" out &&
	grep -q "^reg-status: 36 slips written to slips, 0 already issued$" err &&
	test "$(test_rows r.db slips)" = 36 &&
	test "$(sqlite3 r.db "SELECT count(*) FROM events WHERE kind = '\''escalated'\''")" = 36 &&
	xmllint --noout slips/*.xml &&
	s=slips/150302-20261123-000002-statistics-urging.xml &&
	grep -q "^<slip xmlns=\"urn:regkit:slip:1\">$" $s &&
	grep -q "<step id=\"urging\" at=\"100\">" $s &&
	grep -q "<zh>催办单</zh>" $s &&
	grep -q "<to dept=\"stats\">" $s &&
	grep -q "<zh>统计局</zh>" $s &&
	grep -q "<dossier number=\"150302-20261123-000002\" accepted=\"2026-11-23T09:00:00+08:00\">" $s &&
	grep -q "<enterprise>乌海市聚福源快餐有限公司</enterprise>" $s &&
	grep -q "<item id=\"statistics\" number=\"5\" why=\"no-answer\">" $s &&
	grep -q "<time-limit>P0.5D</time-limit>" $s &&
	grep -q "<deadline>2026-11-23T15:00:00+08:00</deadline>" $s &&
	grep -q "<overdue seconds=\"3600\">PT1H</overdue>" $s &&
	grep -q "<issued>2026-11-23T16:00:00+08:00</issued>" $s &&
	grep -q "<from division=\"150302\">" $s &&
	r=slips/150302-20261123-000002-statistics-reminder.xml &&
	grep -q "<overdue seconds=\"3600\">PT1H</overdue>" $r
'

test_expect_success 'a second run writes nothing and says so; later rungs come one at a time' '
	accept apps-zh-header.csv &&
	reg-status --db r.db --now "$(at 12:00:00)" --escalate -o slips >/dev/null 2>&1 &&
	test "$(ls slips | wc -l)" = 18 &&
	ls -l --time-style=full-iso slips >before &&
	reg-status --db r.db --now "$(at 12:30:00)" --escalate -o slips >out 2>err &&
	echo "number	item	dept	step	file" >expect &&
	test_cmp expect out &&
	grep -q "^reg-status: 0 slips written to slips, 18 already issued$" err &&
	ls -l --time-style=full-iso slips >after &&
	test_cmp before after &&
	reg-status --db r.db --now "$(at 15:00:00)" --escalate -o slips >out 2>/dev/null &&
	test "$(grep -c "	urging	" out)" = 18 && test "$(wc -l <out)" = 19 &&
	reg-status --db r.db --now 2026-11-24T09:00:00+08:00 --escalate -o slips >out 2>/dev/null &&
	test "$(grep -c "	supervision	" out)" = 18 && test "$(grep -c "	transfer	" out)" = 18 &&
	test "$(ls slips | wc -l)" = 72 &&
	test "$(test_rows r.db slips)" = 72
'

test_expect_success 'a dossier already past 200% gets all four rungs at once' '
	accept apps-zh-header.csv &&
	reg-status --db r.db --now 2026-11-24T12:00:00+08:00 --escalate -o slips >out 2>/dev/null &&
	for s in reminder urging supervision transfer; do
		test -f slips/150302-20261123-000001-seal-filing-$s.xml || exit 1
	done &&
	grep -q "<overdue seconds=\"23400\">PT6H30M</overdue>" \
		slips/150302-20261123-000001-seal-filing-reminder.xml
'

test_expect_success 'views never change the registry; --escalate needs a directory it can use' '
	accept apps-zh-header.csv &&
	before=$(sqlite3 r.db "SELECT count(*) FROM events") &&
	reg-status --db r.db --now "$(at 20:00:00)" --overdue >/dev/null &&
	reg-status --db r.db --now "$(at 20:00:00)" --pending --xml >/dev/null &&
	test "$(sqlite3 r.db "SELECT count(*) FROM events")" = "$before" &&
	test "$(test_rows r.db slips)" = 0 &&
	test_expect_code 64 reg-status --db r.db --escalate 2>err &&
	grep -q "needs the slip directory" err &&
	test_expect_code 64 reg-status --db r.db --escalate --state accepted -o d 2>/dev/null &&
	test_expect_code 64 reg-status --db r.db --overdue --commitments 2>err &&
	grep -q "different views" err &&
	test_expect_code 64 reg-status --db r.db --commitments --within 3days 2>/dev/null &&
	test_expect_code 64 reg-status --db r.db --overdue --within P1D 2>/dev/null &&
	test_expect_code 64 reg-status --db r.db one two 2>/dev/null &&
	test_expect_code 64 reg-status --db r.db --overdue extra 2>/dev/null &&
	echo not a directory >file &&
	test_expect_code 73 reg-status --db r.db --now "$(at 20:00:00)" --escalate -o file \
		>/dev/null 2>err &&
	grep -q "file: not a directory" err &&
	test "$(test_rows r.db slips)" = 0
'

test_expect_success 'a missing registry is exit 66 and is not created' '
	test_expect_code 66 reg-status --db none.db 2>err &&
	! test -e none.db &&
	reg-status --help | grep -q "^usage: reg-status" &&
	reg-status --version | grep -q "^reg-status (regkit) "
'

# Issue 4, done-when 4: every department but tax has answered, through the real reg-approve.
approve_all_but_tax() {
	for d in $ALL_BUT_TAX; do
		reg-approve --dept $d --db r.db --now "$(at 09:30:00)" accepted.xml >/dev/null ||
			return 1
	done
}

test_expect_success 'only tax is late: item 3 at 提醒单, 催办单, 督办单 and 移交函 in working time' '
	accept apps.csv &&
	approve_all_but_tax &&
	reg-status --db r.db --now "$(at 11:37:29)" --overdue >out &&
	test "$(wc -l <out)" = 1 &&
	reg-status --db r.db --now "$(at 11:37:30)" --overdue >out &&
	test_cmp "$EXPECT/expect-overdue-75" out &&
	reg-status --db r.db --now "$(at 15:00:00)" --overdue >out &&
	test_cmp "$EXPECT/expect-overdue-100" out &&
	reg-status --db r.db --now "$(at 16:45:00)" --overdue >out &&
	test_cmp "$EXPECT/expect-overdue-150" out &&
	reg-status --db r.db --now 2026-11-24T09:00:00+08:00 --overdue >out &&
	test_cmp "$EXPECT/expect-overdue-200" out
'

test_expect_success 'only tax is late: --escalate run twice writes each of its 80 slips once' '
	accept apps.csv &&
	approve_all_but_tax &&
	reg-status --db r.db --now 2026-11-24T09:00:00+08:00 --escalate -o slips >first 2>err1 &&
	test "$(ls slips | wc -l)" = 80 &&
	test "$(ls slips | grep -vc -- -tax-registration-)" = 0 &&
	test "$(grep -c "<to dept=\"tax\">" slips/*.xml | grep -c ":1$")" = 60 &&
	test "$(grep -l "<to role=\"supervisor\">" slips/*-transfer.xml | wc -l)" = 20 &&
	test "$(grep -l "<late dept=\"tax\">" slips/*-transfer.xml | wc -l)" = 20 &&
	grep -q "^reg-status: 80 slips written to slips, 0 already issued$" err1 &&
	reg-status --db r.db --now 2026-11-24T09:00:00+08:00 --escalate -o slips >second 2>err2 &&
	test "$(wc -l <second)" = 1 &&
	grep -q "^reg-status: 0 slips written to slips, 80 already issued$" err2 &&
	test "$(ls -A slips | wc -l)" = 80 &&
	test "$(test_rows r.db slips)" = 80
'

test_expect_success 'a registry that does not exist is an error for every view, and none is created' '
	test_expect_code 66 reg-status --db typo.db 2>err &&
	test_expect_code 66 reg-status --db typo.db --overdue 2>>err &&
	test_expect_code 66 reg-status --db typo.db --escalate -o slips 2>>err &&
	test "$(grep -c "^reg-status: typo.db: registry does not exist" err)" = 3 &&
	test ! -e typo.db
'

test_expect_success 'answers count in the dossier view; a supplement request stops the clock' '
	accept apps.csv &&
	approve_all_but_tax &&
	reg-status --db r.db --now "$(at 17:00:00)" --state pending >out &&
	grep -q "^150302-20261123-000002	乌海市绿源再生资源有限公司	pending	2026-11-23T09:00:00+08:00	6	7$" out &&
	reg-approve --dept commerce --dossier 150302-20261123-000002 --item recycling \
		--verdict supplement --reason 回收场地证明待补正 --reviewer 李娜 \
		--db r.db --now "$(at 10:00:00)" accepted.xml >/dev/null &&
	reg-status --db r.db --now "$(at 17:00:00)" >out &&
	grep -q "^150302-20261123-000002	.*	5	7$" out &&
	reg-status --db r.db --now 2026-12-07T09:00:00+08:00 --overdue >out &&
	grep -v "	tax-registration	" out >rest &&
	echo "number	item	dept	why	limit	elapsed	deadline	step	step_zh" >expect &&
	test_cmp expect rest &&
	reg-status --db r.db --now 2026-12-07T09:00:00+08:00 --pending >out &&
	grep "	recycling	" out >rest &&
	echo "150302-20261123-000002	recycling	commerce	supplement	P5D	PT1H			" >expect &&
	test_cmp expect rest
'

test_done
