#!/bin/bash
# reg-status: time limits in working time on the test authority's calendar (docs/calendar.md):
# nothing is late over a weekend or a public holiday, a 调休 Saturday is worked, a review whose
# supplement the applicant owes is chased by nobody, a year the calendar lacks is counted Monday
# to Friday with a warning, and the transfer letter goes to the supervising body.
. "$(dirname "$0")/lib.sh"

# accept TIME: the three applications of apps-zh-header.csv, accepted at TIME into r.db, the
# one commitment falling due 20 days later (within the 30 a commitment may defer).
accept() {
	local due
	due=$(date -u -d "${1%%T*} + 20 days" +%F) &&
	sed "s/@2026-12-14\$/@$due/" "$FIXTURES/apps-zh-header.csv" >apps.csv &&
	reg-apply --db r.db --now "$1" apps.csv >accepted.xml
}

# escalate TIME: run the ladder at TIME into slips/; the slips written on stdout.
escalate() {
	reg-status --db r.db --now "$1" --escalate -o slips
}

test_expect_success 'accepted Friday 16:00: no slip on Saturday or Sunday' '
	accept 2026-11-27T16:00:00+08:00 &&
	escalate 2026-11-28T12:00:00+08:00 >out 2>err &&
	grep -q "^reg-status: 0 slips written to slips, 0 already issued$" err &&
	escalate 2026-11-29T23:59:59+08:00 >out 2>err &&
	grep -q "^reg-status: 0 slips written to slips, 0 already issued$" err &&
	test "$(ls slips | wc -l)" = 0 &&
	reg-status --db r.db --now 2026-11-29T23:59:59+08:00 --overdue >out &&
	test "$(wc -l <out)" = 1 &&
	reg-status --db r.db --now 2026-11-29T23:59:59+08:00 --pending >out 2>err &&
	test ! -s err &&
	grep -q "^150302-20261127-000001	tax-registration	tax	no-answer	P0.5D	PT2H	2026-11-30T10:00:00+08:00		$" out
'

test_expect_success 'and every rung by the next working day'\''s evening, due Monday 10:00' '
	accept 2026-11-27T16:00:00+08:00 &&
	escalate 2026-11-30T09:07:29+08:00 >out 2>/dev/null &&
	test "$(ls slips | wc -l)" = 0 &&
	escalate 2026-11-30T09:07:30+08:00 >out 2>/dev/null &&
	test "$(grep -c "	reminder	" out)" = 18 && test "$(wc -l <out)" = 19 &&
	escalate 2026-11-30T10:00:00+08:00 >out 2>/dev/null &&
	test "$(grep -c "	urging	" out)" = 18 && test "$(wc -l <out)" = 19 &&
	s=slips/150302-20261127-000002-statistics-urging.xml &&
	grep -q "<time-limit>P0.5D</time-limit>" $s &&
	grep -q "<deadline>2026-11-30T10:00:00+08:00</deadline>" $s &&
	grep -q "<overdue seconds=\"0\">PT0S</overdue>" $s &&
	escalate 2026-11-30T18:00:00+08:00 >out 2>/dev/null &&
	test "$(ls slips | wc -l)" = 72 &&
	grep -q "<overdue seconds=\"19800\">PT5H30M</overdue>" \
		slips/150302-20261127-000001-seal-filing-transfer.xml
'

test_expect_success 'the transfer letter goes to the supervising body, about the late department' '
	accept 2026-11-27T16:00:00+08:00 &&
	escalate 2026-11-30T18:00:00+08:00 >out 2>/dev/null &&
	grep -q "^150302-20261127-000003	tax-registration	tax	transfer	slips/150302-20261127-000003-tax-registration-transfer.xml$" out &&
	t=slips/150302-20261127-000003-tax-registration-transfer.xml &&
	xmllint --noout $t &&
	grep -q "<step id=\"transfer\" at=\"200\">" $t &&
	grep -q "<to role=\"supervisor\">" $t &&
	grep -q "<name>乌海市海勃湾区人民政府</name>" $t &&
	grep -q "<late dept=\"tax\">" $t &&
	grep -q "<zh>税务局</zh>" $t &&
	! grep -q "<to dept=" $t &&
	grep -q "<to dept=\"tax\">" slips/150302-20261127-000003-tax-registration-supervision.xml &&
	test "$(sqlite3 r.db "SELECT count(*) FROM events WHERE kind = '\''escalated'\'' AND detail LIKE '\''%transfer to the supervisor about %'\''")" = 18
'

test_expect_success 'an authority without a supervisor cannot send a transfer letter: exit 78, nothing written' '
	accept 2026-11-27T16:00:00+08:00 &&
	grep -v "<supervisor>" "$FIXTURES/authority/authority.xml" >noboss.xml &&
	test_expect_code 78 reg-status --db r.db --authority noboss.xml \
		--now 2026-11-30T18:00:00+08:00 --escalate -o slips >out 2>err &&
	grep -q "names no supervisor" err &&
	test ! -e slips &&
	test "$(test_rows r.db slips)" = 0 &&
	reg-status --db r.db --authority noboss.xml --now 2026-11-30T15:00:00+08:00 \
		--escalate -o slips >out 2>/dev/null &&
	test "$(ls slips | wc -l)" = 54
'

test_expect_success 'public holidays are skipped: accepted the day before 国庆节, due on 8 October' '
	accept 2026-09-30T16:00:00+08:00 &&
	escalate 2026-10-07T23:00:00+08:00 >out 2>err &&
	grep -q "^reg-status: 0 slips written to slips, 0 already issued$" err &&
	escalate 2026-10-08T10:00:00+08:00 >out 2>/dev/null &&
	test "$(grep -c "	urging	" out)" = 18 &&
	grep -q "<deadline>2026-10-08T10:00:00+08:00</deadline>" \
		slips/150302-20260930-000001-business-license-urging.xml
'

test_expect_success 'a 调休 Saturday is worked: accepted Friday 9 October, due Saturday 10 October' '
	accept 2026-10-09T16:00:00+08:00 &&
	reg-status --db r.db --now 2026-10-10T10:00:00+08:00 --overdue >out &&
	test "$(grep -c "	P0.5D	PT3H30M	2026-10-10T10:00:00+08:00	urging	催办单$" out)" = 18 &&
	reg-status --db r.db --now 2026-10-10T18:00:00+08:00 --overdue >saturday &&
	grep -q "	P0.5D	P1DT2H	2026-10-10T10:00:00+08:00	transfer	移交函$" saturday &&
	reg-status --db r.db --now 2026-10-12T08:30:00+08:00 --overdue >monday &&
	test_cmp saturday monday
'

test_expect_success 'no slip while the applicant owes a supplement; the others are chased' '
	accept 2026-11-27T16:00:00+08:00 &&
	escalate 2026-11-30T09:10:00+08:00 >out 2>/dev/null &&
	test "$(grep -c "	reminder	" out)" = 18 &&
	reg-approve --dept tax --dossier 150302-20261127-000001 --item tax-registration \
		--verdict supplement --reason 银行开户信息待补正 --reviewer 刘洋 \
		--db r.db --now 2026-11-30T09:30:00+08:00 accepted.xml >/dev/null &&
	escalate 2026-12-31T18:00:00+08:00 >out 2>/dev/null &&
	test "$(ls slips | grep -c "^150302-20261127-000001-")" = 21 &&
	test "$(ls slips | grep -c -- "-tax-registration-")" = 9 &&
	ls slips | grep "^150302-20261127-000001-tax-registration-" >tax &&
	echo 150302-20261127-000001-tax-registration-reminder.xml >expect &&
	test_cmp expect tax &&
	reg-status --db r.db --now 2026-12-31T18:00:00+08:00 --pending >out &&
	grep -q "^150302-20261127-000001	tax-registration	tax	supplement	P0.5D	PT3H			$" out &&
	reg-status --db r.db --now 2026-12-31T18:00:00+08:00 --overdue >out &&
	! grep -q "^150302-20261127-000001	tax-registration	" out
'

test_expect_success 'a year the calendar lacks counts Monday to Friday, with one warning' '
	accept 2026-12-31T16:00:00+08:00 &&
	reg-status --db r.db --now 2027-01-01T10:00:00+08:00 --overdue >out 2>err &&
	test "$(grep -c "	urging	" out)" = 18 &&
	grep -q "	P0.5D	PT3H30M	2027-01-01T10:00:00+08:00	urging	" out &&
	test "$(wc -l <err)" = 1 &&
	grep -q "^reg-status: .*/authority.xml: warning: calendar has no year 2027: counted Monday to Friday$" err &&
	escalate 2027-01-01T10:00:00+08:00 >out 2>err &&
	grep -q "warning: calendar has no year 2027" err
'

test_done
