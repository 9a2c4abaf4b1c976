#!/bin/bash
# t0550 — reg-supply: the window's supplements (补正) and fulfilled commitments (告知承诺).
. "$(dirname "$0")/lib.sh"

export SOURCE_DATE_EPOCH=1795395600
NOW=2026-11-23T09:00:00+08:00
REVIEW=2026-11-23T10:00:00+08:00
SUPPLIED=2026-11-24T10:00:00+08:00
AGAIN=2026-11-24T11:00:00+08:00
NUM=150302-20261123-000001

dump() {
	sqlite3 r.db .dump
}

# The recycling company of the fixtures, accepted into r.db.
lvyuan() {
	test_accept_lvyuan r.db $NOW
}

# Every department reviews but commerce, which asks for a supplement of the site proof.
commerce_asks() {
	reg-approve --db r.db --now $REVIEW --dept commerce --dossier $NUM --item recycling \
		--verdict supplement --reviewer 王芳 --reason "回收经营场地证明不清晰，请补正" \
		accepted.xml >commerce.xml 2>/dev/null &&
	reg-approve --db r.db --now $REVIEW --all accepted.xml >round1.xml 2>/dev/null &&
	grep -q "state=\"pending\"" round1.xml
}

test_expect_success 'commerce asks, the window supplies, only commerce reviews again, issued' '
	lvyuan && commerce_asks &&
	echo "场地租赁合同（清晰版）" >materials/lvyuan/site-v2.txt &&
	reg-supply --db r.db --now $SUPPLIED $NUM \
		recycling-site-proof=materials/lvyuan/site-v2.txt >supplied.xml 2>err &&
	cat >expect <<-EOF &&
	reg-supply: $NUM: recycling-site-proof: supplied, fulfilling its commitment (body version 2)
	reg-supply: $NUM: reviews again: commerce (recycling)
	EOF
	test_cmp expect err &&
	grep -q "<wait item=\"recycling\" dept=\"commerce\" why=\"no-answer\"/>" supplied.xml &&
	test "$(sqlite3 r.db "select count(*) from bodies where number = '"'$NUM'"'")" = 2 &&
	reg-approve --db r.db --now $AGAIN --all supplied.xml >round2.xml 2>/dev/null &&
	: the second round gave one verdict: commerce, on the new body &&
	test "$(sqlite3 r.db "select group_concat(dept) from approvals where time_text = '"'$AGAIN'"'")" = commerce &&
	reg-merge --db r.db --now $AGAIN round2.xml >merged.xml &&
	grep -q "state=\"approved\"" merged.xml &&
	reg-issue --db r.db --now $AGAIN -o out merged.xml >issued.tsv 2>/dev/null &&
	uscc=$(cut -f1 issued.tsv) && mkdir x && bsdtar -xzf out/$uscc.tar.gz -C x &&
	v1=$(sqlite3 r.db "select digest from bodies where version = 1") &&
	v2=$(sqlite3 r.db "select digest from bodies where version = 2") &&
	grep -q "<version number=\"1\" digest=\"$v1\"" x/$uscc/dossier.xml &&
	grep -q "<version number=\"2\" digest=\"$v2\"" x/$uscc/dossier.xml &&
	: the tax approval of the first round, on version 1, is the one in force &&
	grep -q "item=\"tax-registration\" dept=\"tax\" verdict=\"approved\" reviewer=\"reg-approve\" time=\"$REVIEW\" body-digest=\"$v1\"" \
		x/$uscc/dossier.xml &&
	grep -q "item=\"recycling\" dept=\"commerce\" verdict=\"approved\" reviewer=\"reg-approve\" time=\"$AGAIN\" body-digest=\"$v2\"" \
		x/$uscc/dossier.xml &&
	grep -q "<href>materials/lvyuan/site-v2.txt</href>\|href=\"materials/lvyuan/site-v2.txt\"" x/$uscc/dossier.xml &&
	reg-verify --db r.db out/$uscc.tar.gz >verify.txt &&
	grep -q "	ok	" verify.txt
'

test_expect_success 'a supplement voids the verdicts of exactly the items that use the material' '
	lvyuan && reg-approve --db r.db --now $REVIEW --all accepted.xml >approved.xml 2>/dev/null &&
	grep -q "state=\"approved\"" approved.xml &&
	echo "章程修正案" >materials/lvyuan/articles-v2.txt &&
	reg-supply --db r.db --now $SUPPLIED $NUM articles=materials/lvyuan/articles-v2.txt \
		>supplied.xml 2>err &&
	grep -q "^reg-supply: $NUM: articles: supplied (body version 2)$" err &&
	again=$(sed -n "s/^reg-supply: $NUM: reviews again: //p" err) &&
	: every item whose catalog entry uses the articles, and no other &&
	for item in $(echo "$again" | sed "s/[^(]*(\([^)]*\))/\1 /g"); do
		xmllint --xpath "//*[local-name()=\"item\"][@id=\"$item\"]/*[local-name()=\"uses\"][@material=\"articles\"]" \
			"$SRC/schemas/catalog.xml" >/dev/null 2>&1 || { echo "$item does not use articles"; return 1; }
	done &&
	test -n "$again" &&
	: the recycling filing does not use the articles: commerce stands &&
	! echo "$again" | grep -q "commerce" &&
	test "$(sqlite3 r.db "select state from dossiers")" = pending
'

test_expect_success 'a commitment fulfilled after issuance leaves the owed list, the archive untouched' '
	lvyuan &&
	reg-approve --db r.db --now $REVIEW --all accepted.xml 2>/dev/null |
		reg-merge --db r.db --now $REVIEW | reg-issue --db r.db --now $REVIEW -o out >issued.tsv 2>/dev/null &&
	uscc=$(cut -f1 issued.tsv) && before=$(sha256sum <out/$uscc.tar.gz) &&
	reg-status --db r.db --now 2026-12-10T09:00:00+08:00 --commitments --within P30D >owed.tsv &&
	grep -q "recycling-site-proof" owed.tsv &&
	echo "回收站点照片及租赁合同" >materials/lvyuan/site.txt &&
	reg-supply --db r.db --now 2026-12-10T09:00:00+08:00 $NUM \
		recycling-site-proof=materials/lvyuan/site.txt >view.xml 2>err &&
	grep -q "^reg-supply: $NUM: recycling-site-proof: fulfilled$" err &&
	grep -q "<issuance uscc=\"$uscc\"" view.xml &&
	reg-status --db r.db --now 2026-12-10T09:00:00+08:00 --commitments --within P30D >owed.tsv &&
	! grep -q "recycling-site-proof" owed.tsv &&
	test "$(sqlite3 r.db "select count(*) from bodies")" = 1 &&
	test "$(sqlite3 r.db "select count(*) from events where kind = '"'fulfilled'"'")" = 1 &&
	test "$(sqlite3 r.db "select fulfilled_sha256 from commitments")" = \
		"$(sha256sum <materials/lvyuan/site.txt | cut -d" " -f1)" &&
	test "$(sha256sum <out/$uscc.tar.gz)" = "$before" &&
	reg-verify --db r.db out/$uscc.tar.gz | grep -q "	ok	" &&
	: a supplement to the issued dossier is refused &&
	dump >before.sql &&
	test_expect_code 1 reg-supply --db r.db $NUM articles=materials/lvyuan/site.txt \
		>/dev/null 2>err &&
	grep -q "^reg-supply: articles: dossier $NUM is issued: its record is closed" err &&
	dump >after.sql && test_cmp before.sql after.sql
'

test_expect_success 'the same file again is already recorded: a rerun after a kill changes nothing' '
	lvyuan && commerce_asks &&
	echo v2 >materials/lvyuan/site-v2.txt &&
	reg-supply --db r.db --now $SUPPLIED $NUM recycling-site-proof=materials/lvyuan/site-v2.txt \
		>first.xml 2>/dev/null &&
	dump | grep -v "INSERT INTO events\|sqlite_sequence" >before.sql &&
	reg-supply --db r.db --now $AGAIN $NUM recycling-site-proof=materials/lvyuan/site-v2.txt \
		>second.xml 2>err &&
	grep -q "^reg-supply: $NUM: recycling-site-proof: already recorded$" err &&
	dump | grep -v "INSERT INTO events\|sqlite_sequence" >after.sql && test_cmp before.sql after.sql &&
	test_cmp first.xml second.xml
'

test_expect_success 'refusals record nothing: unknown dossier or material, links, usage' '
	lvyuan && dump >before.sql &&
	echo x >site.txt && ln -s site.txt link.txt && mkdir sub && ln site.txt sub/hard.txt &&
	echo y >own.txt &&
	test_expect_code 1 reg-supply --db r.db 150302-20261123-000099 articles=own.txt 2>err &&
	grep -q "^reg-supply: dossier .150302-20261123-000099. is not in the registry r.db$" err &&
	test_expect_code 1 reg-supply --db r.db $NUM no-such-material=own.txt 2>err &&
	grep -q "^reg-supply: .*no-such-material. is not a material of the catalog$" err &&
	test_expect_code 1 reg-supply --db r.db $NUM articles=link.txt 2>err &&
	grep -q "^reg-supply: articles: file .link.txt.: .link.txt. is a symbolic link" err &&
	test_expect_code 1 reg-supply --db r.db $NUM articles=sub/hard.txt 2>err &&
	grep -q "has 2 hard links" err &&
	test_expect_code 1 reg-supply --db r.db $NUM articles=../x.txt 2>err &&
	grep -q "must be a relative path inside the input.s folder" err &&
	test_expect_code 64 reg-supply --db r.db $NUM 2>err &&
	test_expect_code 64 reg-supply --db r.db $NUM articles 2>err &&
	grep -q "is not MATERIAL=FILE" err &&
	test_expect_code 64 reg-supply --db r.db $NUM articles=own.txt articles=own.txt 2>err &&
	grep -q "given twice" err &&
	test_expect_code 66 reg-supply --db none.db $NUM articles=own.txt 2>/dev/null &&
	test ! -e none.db &&
	dump >after.sql && test_cmp before.sql after.sql
'

test_expect_success 'the clock of a review waiting for a supplement runs again once supplied' '
	lvyuan && commerce_asks &&
	: two working days after the request, while the applicant owes it: commerce is paused &&
	reg-status --db r.db --now 2026-11-27T17:00:00+08:00 --pending >pending.tsv &&
	grep "	recycling	commerce	supplement	" pending.tsv >line &&
	echo v2 >materials/lvyuan/site-v2.txt &&
	reg-supply --db r.db --now 2026-11-27T17:00:00+08:00 $NUM \
		recycling-site-proof=materials/lvyuan/site-v2.txt >/dev/null 2>&1 &&
	: the limit is P5D: a week of working days later it is overdue &&
	reg-status --db r.db --now 2026-12-07T17:00:00+08:00 --overdue >overdue.tsv &&
	grep -q "	recycling	commerce	no-answer	" overdue.tsv &&
	: had it not been supplied, nobody would chase commerce &&
	rm -rf r.db* && lvyuan && commerce_asks &&
	reg-status --db r.db --now 2026-12-07T17:00:00+08:00 --overdue >overdue.tsv &&
	! grep -q "	recycling	" overdue.tsv
'

test_done
