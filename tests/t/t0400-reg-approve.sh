#!/bin/bash
# reg-approve: parallel approval of the accepted fixtures, department by department, all at once
# on threads, and by a clerk's hand.
. "$(dirname "$0")/lib.sh"
NOW=2026-11-23T09:00:00+08:00
LATER=2026-11-23T10:00:00+08:00
NEXT_DAY=2026-11-24T10:00:00+08:00
GREEN=150302-20261123-000002    # 乌海市绿源再生资源有限公司: 再生资源回收 (item 10)
RIVER=150302-20261123-000008    # 乌海市黄河人家餐饮有限公司: a restaurant

# The 20 fixtures accepted into r.db, its write-ahead log folded in so the file can be copied.
accept() {
	reg-apply --db r.db --now $NOW "$FIXTURES/apps.csv" >accepted.xml &&
	sqlite3 r.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
}

# The one dossier with acceptance number $1 from the batch $2 (its lines, as written).
dossier_of() {
	awk -v n="number=\"$1\"" '/^  <dossier /{buf=""; on=1} on{buf=buf $0 "\n"}
		/^  <\/dossier>/{if (index(buf, n)) printf "%s", buf; on=0}' "$2"
}

# Every catalog item's verdict as "item verdict" lines, in document order.
verdicts() {
	grep -o 'item="[^"]*" dept="[^"]*" verdict="[^"]*"' | sed 's/item="\([^"]*\)".*verdict="\([^"]*\)"/\1 \2/'
}

# A catalog whose departments check more than the window: tax wants a financial officer of
# its own (reject); commerce wants a recycler to have a staff of ten (reject) and the
# recycling site proof in hand (supplement).
strict_catalog() {
	sed -e 's|d:enterprise/d:financial-officer or d:enterprise/d:legal-representative|d:enterprise/d:financial-officer|' \
	    -e "s|or d:commitments/d:commitment\[@material = 'recycling-site-proof'\]|and true()|" \
	    -e "/<applies-if>reg:scope-mentions('再生资源回收')<\/applies-if>/a\\
      <require message=\"a recycler needs a staff of at least 10\">d:enterprise/d:staff \&gt;= 10</require>" \
	    "$SRC/schemas/catalog.xml" >strict.xml &&
	grep -q "a staff of at least 10" strict.xml &&
	test "$(grep -c "and true()" strict.xml)" = 1
}

test_expect_success '--list-depts prints id, Chinese and English names, TAB-separated' '
	reg-approve --list-depts >actual &&
	test_cmp "$SRC/tests/t/t0400/expect-depts" actual
'

test_expect_success '--all is byte-identical to every --dept merged by reg-merge (own registry copies)' '
	accept &&
	cp r.db r2.db &&
	reg-approve --db r.db --now $LATER --all accepted.xml >all.xml &&
	for d in $(reg-approve --list-depts | cut -f1); do
		reg-approve --db r2.db --now $LATER --dept $d accepted.xml >$d.xml || return 1
	done &&
	reg-merge --db r2.db --now $LATER amr.xml tax.xml hrss.xml stats.xml police.xml \
		commerce.xml drug.xml ciq.xml customs.xml housing.xml tourism.xml >merged.xml &&
	test "$(grep -c "<dossier " all.xml)" = 20 &&
	test_cmp all.xml merged.xml &&
	xmllint --noout --schema "$SRC/schemas/dossier.xsd" all.xml
'

test_expect_success 'both sides leave the same ledger: the same verdicts, the dossiers approved' '
	accept && cp r.db r2.db &&
	reg-approve --db r.db --now $LATER --all accepted.xml >all.xml &&
	for d in $(reg-approve --list-depts | cut -f1); do
		reg-approve --db r2.db --now $LATER --dept $d accepted.xml >$d.xml || return 1
	done &&
	: the registry settles each dossier as its verdicts are recorded &&
	test "$(sqlite3 r2.db "select count(*) from dossiers where state = '"'"'approved'"'"'")" = 20 &&
	reg-merge --db r2.db --now $LATER amr.xml tax.xml hrss.xml stats.xml police.xml \
		commerce.xml drug.xml ciq.xml customs.xml housing.xml tourism.xml >/dev/null &&
	for db in r.db r2.db; do
		sqlite3 $db "select number, item, dept, verdict, at, reviewer, body_digest from approvals order by 1, 2" >$db.approvals &&
		sqlite3 $db "select number, state from dossiers order by 1" >$db.states &&
		sqlite3 $db "select at, kind, number, detail from events where kind = '"'"'verdict'"'"' order by number, kind, detail" >$db.events || return 1
	done &&
	test "$(wc -l <r.db.approvals)" = "$(grep -c "<approval " all.xml)" &&
	test "$(wc -l <r.db.approvals)" -gt 100 &&
	test_cmp r.db.approvals r2.db.approvals &&
	test_cmp r.db.states r2.db.states &&
	test_cmp r.db.events r2.db.events &&
	test "$(grep -c "|approved$" r.db.states)" = 20 &&
	grep -q "^1795399200|verdict|$GREEN|recycling commerce approved by reg-approve$" r.db.events
'

test_expect_success 'a scope with 再生资源回收 gets item 10 approved by commerce; a restaurant does not' '
	accept &&
	reg-approve --db r.db --now $LATER --dept commerce accepted.xml >commerce.xml &&
	dossier_of $GREEN commerce.xml | verdicts >green &&
	echo "recycling approved" >expect &&
	test_cmp expect green &&
	dossier_of $RIVER commerce.xml | verdicts >river &&
	! grep -q "^recycling " river &&
	! grep -q "not-applicable" commerce.xml &&
	dossier_of $GREEN commerce.xml | grep -q "signature=\"[A-Za-z0-9+/]\{86\}==\"" &&
	dossier_of $GREEN commerce.xml | grep -q "reviewer=\"reg-approve\" time=\"$LATER\" body-digest=\"[0-9a-f]\{64\}\"" &&
	dossier_of $GREEN commerce.xml | grep -q "<dossier xmlns=\"urn:regkit:dossier:1\" state=\"accepted\">"
'

test_expect_success 'the body digest of every approval is the dossier body recorded at acceptance' '
	accept &&
	reg-approve --db r.db --now $LATER --dept tax accepted.xml >tax.xml &&
	sqlite3 r.db "select body_digest from dossiers where number = '"'"'$GREEN'"'"'" >want &&
	dossier_of $GREEN tax.xml | grep -o "body-digest=\"[0-9a-f]*\"" | cut -d\" -f2 >got &&
	test_cmp want got
'

test_expect_success '-j 1, -j 2 and -j 8 give the same bytes' '
	accept &&
	for j in 1 2 8; do
		cp r.db j$j.db &&
		reg-approve --db j$j.db --now $LATER --all -j $j accepted.xml >j$j.xml || return 1
	done &&
	test_cmp j1.xml j2.xml && test_cmp j1.xml j8.xml
'

test_expect_success 'a department that checks more rejects with every failed rule and asks for supplements' '
	accept && strict_catalog &&
	reg-approve --db r.db --catalog strict.xml --now $LATER --all accepted.xml >all.xml &&
	dossier_of $GREEN all.xml >green &&
	grep -q "state=\"rejected\"" green &&
	grep -A1 "item=\"tax-registration\" dept=\"tax\" verdict=\"rejected\"" green |
		grep -q "<reason>a financial officer must be named (the legal representative may act as one)</reason>" &&
	grep -A3 "item=\"recycling\" dept=\"commerce\" verdict=\"rejected\"" green >rec &&
	printf "%s\n" "        <reason>a recycler needs a staff of at least 10</reason>" \
		"        <reason>the recycling site proof is missing and not committed to</reason>" \
		"      </approval>" >expect &&
	tail -n 3 rec >got && test_cmp expect got &&
	! grep -q "<outstanding" green &&
	test "$(grep -c "state=\"rejected\"" all.xml)" = 5 &&
	test "$(sqlite3 r.db "select count(*) from dossiers where state = '"'"'rejected'"'"'")" = 5 &&
	sqlite3 r.db "select detail from events where number = '"'"'$GREEN'"'"' and kind = '"'"'rejected'"'"'" >ev &&
	echo "rejected: tax-registration" >expect &&
	test_cmp expect ev
'

test_expect_success 'a supplement alone leaves the dossier pending, waiting for it' '
	accept &&
	sed "s|or d:commitments/d:commitment\[@material = '"'"'recycling-site-proof'"'"'\]|and true()|" \
		"$SRC/schemas/catalog.xml" >supp.xml &&
	reg-approve --db r.db --catalog supp.xml --now $LATER --all accepted.xml >all.xml &&
	dossier_of $GREEN all.xml >green &&
	grep -q "state=\"pending\"" green &&
	grep -q "<wait item=\"recycling\" dept=\"commerce\" why=\"supplement\"/>" green &&
	test "$(grep -c "<wait " green)" = 1 &&
	sqlite3 r.db "select kind, detail from events where number = '"'"'$GREEN'"'"' and kind = '"'"'pending'"'"'" >ev &&
	echo "pending|waiting: recycling (commerce, supplement)" >expect &&
	test_cmp expect ev
'

test_expect_success 'a clerk rejects later: the manual verdict supersedes the automatic one' '
	accept &&
	reg-approve --db r.db --now $LATER --all accepted.xml >all.xml &&
	reg-approve --db r.db --now $NEXT_DAY --dept commerce --dossier $GREEN --item recycling \
		--verdict rejected --reason "回收场地与申报不符" --reason "未取得环评批复" \
		--reviewer 李明 all.xml >clerk.xml &&
	test "$(grep -c "<dossier " clerk.xml)" = 20 &&
	dossier_of $GREEN clerk.xml | grep -A2 "verdict=\"rejected\" reviewer=\"李明\" time=\"$NEXT_DAY\"" >dec &&
	grep -q "<reason>回收场地与申报不符</reason>" dec &&
	grep -q "<reason>未取得环评批复</reason>" dec &&
	reg-merge --db r.db --now $NEXT_DAY clerk.xml >merged.xml &&
	sqlite3 r.db "select verdict, reviewer from approvals where number = '"'"'$GREEN'"'"' and item = '"'"'recycling'"'"' order by at" >hist &&
	printf "approved|reg-approve\nrejected|李明\n" >expect &&
	test_cmp expect hist &&
	: a rejected recycling filing refuses only itself: the establishment stays approved &&
	dossier_of $GREEN merged.xml | grep -q "state=\"approved\"" &&
	test "$(grep -c "state=\"approved\"" merged.xml)" = 20 &&
	sqlite3 r.db "select detail from events where number = '"'"'$GREEN'"'"' order by id desc limit 1" >ev &&
	echo "every applicable item approved; refused: recycling" >expect &&
	test_cmp expect ev &&
	: a rejected tax registration refuses the establishment &&
	reg-approve --db r.db --now $NEXT_DAY --dept tax --dossier $GREEN --verdict rejected \
		--reason "欠缴税款" --reviewer 赵税 merged.xml >tax.xml &&
	reg-merge --db r.db --now $NEXT_DAY tax.xml >merged2.xml &&
	dossier_of $GREEN merged2.xml | grep -q "state=\"rejected\"" &&
	test "$(sqlite3 r.db "select state from dossiers where number = '"'"'$GREEN'"'"'")" = rejected
'

test_expect_success 'a clerk approves every applicable item of the department without --item' '
	accept &&
	reg-approve --db r.db --now $LATER --dept commerce --dossier $GREEN --verdict approved \
		--reason "现场核查通过" --reviewer 李明 accepted.xml >clerk.xml &&
	dossier_of $GREEN clerk.xml | verdicts >got &&
	echo "recycling approved" >expect &&
	test_cmp expect got &&
	test "$(grep -c "<approval " clerk.xml)" = 1
'

test_expect_success 'a clerk decision that does not fit is refused, exit 1 or 64' '
	accept &&
	test_expect_code 1 reg-approve --db r.db --now $LATER --dept commerce --dossier $RIVER \
		--item recycling --verdict approved --reason x --reviewer 李明 accepted.xml >out 2>err &&
	grep -q "^reg-approve: accepted.xml:[0-9]*: item .recycling. (再生资源回收经营者备案) does not apply to dossier .$RIVER.$" err &&
	test "$(grep -c "<dossier " out)" = 19 &&
	test_expect_code 1 reg-approve --db r.db --now $LATER --dept commerce --dossier 150302-20261123-000999 \
		--verdict approved --reason x --reviewer 李明 accepted.xml >/dev/null 2>err &&
	grep -q "dossier .150302-20261123-000999. is not in the input" err &&
	test_expect_code 64 reg-approve --db r.db --dept tax --dossier $GREEN --item recycling \
		--verdict approved --reason x --reviewer 李明 accepted.xml 2>err &&
	grep -q "item .recycling. belongs to department .commerce., not .tax." err &&
	test_expect_code 64 reg-approve --db r.db --dept commerce --dossier $GREEN --verdict approved \
		--reviewer 李明 accepted.xml 2>/dev/null &&
	test_expect_code 64 reg-approve --db r.db --dept commerce --dossier $GREEN --verdict not-applicable \
		--reason x --reviewer 李明 accepted.xml 2>/dev/null &&
	test "$(test_rows r.db approvals)" = 0
'

test_expect_success 'a dossier without an acceptance number is refused, the others go on' '
	accept &&
	sed "0,/<acceptance number=\"[^\"]*\" /s//<acceptance /" accepted.xml | sed "0,/<acceptance [^>]*>/s///" >broken.xml &&
	test_expect_code 1 reg-approve --db r.db --now $LATER --dept tax broken.xml >out 2>err &&
	grep -q "^reg-approve: broken.xml:[0-9]*: /dossier/acceptance: not accepted: the dossier has no acceptance number$" err &&
	grep -q "^reg-approve: 1 of 20 dossiers refused$" err &&
	test "$(grep -c "<dossier " out)" = 19 &&
	test "$(test_rows r.db approvals)" = 19
'

test_expect_success 'a registry that does not exist is an error, and none is created' '
	accept &&
	for mode in "--all" "--dept tax"; do
		test_expect_code 66 reg-approve --db typo.db --now $LATER $mode accepted.xml >out 2>err &&
		grep -q "^reg-approve: typo.db: registry does not exist" err &&
		test ! -e typo.db &&
		! grep -q "<dossier" out || return 1
	done &&
	printf "<batch xmlns=\"urn:regkit:dossier:1\"/>\n" >empty.xml &&
	reg-approve --db typo.db --now $LATER --all empty.xml >out &&
	test ! -e typo.db
'

test_expect_success 'a dossier the registry does not hold is refused and nothing is recorded for it' '
	accept &&
	test_new_registry other.db &&
	test_expect_code 1 reg-approve --db other.db --now $LATER --all accepted.xml >out 2>err &&
	test "$(grep -c "is not in the registry other.db" err)" = 20 &&
	! grep -q "<dossier" out &&
	test "$(test_rows other.db approvals)" = 0 &&
	test "$(test_rows other.db events)" = 0
'

test_expect_success 'a body changed after acceptance is refused at review' '
	accept &&
	sed "0,/<capital>500000.00</s//<capital>600000.00</" accepted.xml >changed.xml &&
	test_expect_code 1 reg-approve --db r.db --now $LATER --dept tax changed.xml >out 2>err &&
	grep -q "changed.xml:[0-9]*: /dossier: dossier .$GREEN. is not the one accepted: its body changed since acceptance" err &&
	test "$(grep -c "<dossier " out)" = 19
'

test_expect_success '--all records the dossiers of a group together, but refuses one alone' '
	accept &&
	sed "0,/<capital>500000.00</s//<capital>600000.00</" accepted.xml >changed.xml &&
	for j in 1 2; do
		cp r.db j$j.db &&
		test_expect_code 1 reg-approve --db j$j.db --now $LATER --all -j $j changed.xml \
			>out$j 2>err$j &&
		grep -q "changed.xml:[0-9]*: /dossier: dossier .$GREEN. is not the one accepted" err$j &&
		grep -q "^reg-approve: 1 of 20 dossiers refused$" err$j &&
		test "$(grep -c "<dossier " out$j)" = 19 &&
		! grep -q "number=\"$GREEN\"" out$j &&
		test "$(sqlite3 j$j.db "SELECT count(*) FROM approvals WHERE number = '"'$GREEN'"'")" = 0 &&
		test "$(sqlite3 j$j.db "SELECT count(*) FROM events WHERE number = '"'$GREEN'"' AND kind <> '"'accepted'"'")" = 0 &&
		test "$(sqlite3 j$j.db "SELECT state FROM dossiers WHERE number = '"'$GREEN'"'")" = accepted &&
		test "$(sqlite3 j$j.db "SELECT count(DISTINCT number) FROM approvals")" = 19 &&
		test "$(sqlite3 j$j.db "SELECT count(*) FROM dossiers WHERE state = '"'accepted'"'")" = 1 || return 1
	done &&
	cmp out1 out2
'

test_expect_success 'one dossier in, one dossier out; stdin and -o' '
	accept &&
	dossier_of $GREEN accepted.xml | sed "1s|^  <dossier|<dossier|" >one.body &&
	{ echo "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"; cat one.body; } >one.xml &&
	reg-approve --db r.db --now $LATER --all -o out.xml <one.xml &&
	head -2 out.xml | tail -1 | grep -q "^<dossier xmlns=\"urn:regkit:dossier:1\" state=\"approved\">$" &&
	! grep -q "<batch" out.xml
'

test_expect_success 'an empty batch gives an empty batch' '
	printf "<batch xmlns=\"urn:regkit:dossier:1\"/>\n" >empty.xml &&
	reg-approve --db r.db --now $LATER --all empty.xml >out &&
	printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<batch xmlns=\"urn:regkit:dossier:1\"/>\n" >expect &&
	test_cmp expect out
'

test_expect_success 'usage, missing input, bad XML and a broken catalog: exit codes' '
	accept &&
	test_expect_code 64 reg-approve accepted.xml 2>err &&
	grep -q "^reg-approve: say which department" err &&
	test_expect_code 64 reg-approve --dept tax --all accepted.xml 2>/dev/null &&
	test_expect_code 64 reg-approve --dept tax -j 2 accepted.xml 2>/dev/null &&
	test_expect_code 64 reg-approve --all -j 0 accepted.xml 2>/dev/null &&
	test_expect_code 64 reg-approve --db r.db --dept nosuch accepted.xml 2>err &&
	grep -q "unknown department .nosuch. (see --list-depts)" err &&
	test_expect_code 66 reg-approve --db r.db --dept tax no-such.xml 2>err &&
	grep -q "^reg-approve: no-such.xml: cannot open" err &&
	echo "not xml" >junk.xml &&
	test_expect_code 65 reg-approve --db r.db --dept tax junk.xml 2>/dev/null &&
	echo "<catalog/>" >bad-catalog.xml &&
	test_expect_code 78 reg-approve --db r.db --catalog bad-catalog.xml --dept tax accepted.xml 2>/dev/null &&
	reg-approve --help | grep -q "^usage: reg-approve" &&
	reg-approve --version | grep -q "^reg-approve (regkit) "
'

# unevaluable_rule PATTERN OUT — the shipped catalog with the rule matching PATTERN (sed) made
# one that compiles but cannot be evaluated (count() of a string), written to OUT.
unevaluable_rule() {
	sed "s|$1|count(string(d:enterprise/d:name)) \&gt; 0|" "$SRC/schemas/catalog.xml" >"$2" &&
	grep -q "count(string" "$2"
}

test_expect_success 'a catalog rule that cannot be evaluated stops the run (78), on threads too' '
	accept &&
	unevaluable_rule "d:enterprise/d:financial-officer or d:enterprise/d:legal-representative" bad.xml &&
	for j in 1 2; do
		test_expect_code 78 reg-approve --db r.db --catalog bad.xml --now $LATER --all -j $j \
			accepted.xml >out 2>err || return 1
		grep -q "^reg-approve: item .tax-registration.: rule .count(string(d:enterprise/d:name)) > 0.: " err &&
		! grep -q "<dossier" out || return 1
	done &&
	test_expect_code 78 reg-approve --db r.db --catalog bad.xml --now $LATER --dept tax accepted.xml >/dev/null 2>&1 &&
	test "$(test_rows r.db approvals)" = 0
'

test_expect_success 'a failure that stops --all keeps and writes what was recorded before it' '
	accept &&
	unevaluable_rule "reg:has-material(.recycling-site-proof.)" late.xml &&
	for j in 1 2; do
		cp r.db j$j.db &&
		test_expect_code 78 reg-approve --db j$j.db --catalog late.xml --now $LATER --all -j $j \
			accepted.xml >out$j 2>err$j &&
		grep -q "item .recycling.: rule .count(string" err$j &&
		test "$(grep -c "<dossier " out$j)" = 1 &&
		grep -q "number=\"150302-20261123-000001\"" out$j &&
		xmllint --noout out$j &&
		test "$(sqlite3 j$j.db "SELECT group_concat(DISTINCT number) FROM approvals")" = 150302-20261123-000001 &&
		test "$(sqlite3 j$j.db "SELECT count(*) FROM dossiers WHERE state <> '"'accepted'"'")" = 1 || return 1
	done
'

test_expect_success 'hostile XML is refused cleanly, nothing recorded' '
	accept &&
	for f in "$SRC"/tests/hostile/xml/*.xml; do
		reg-approve --db r.db --now $LATER --all "$f" >/dev/null 2>err; code=$?
		case $code in 0|1|65|66) ;; *) echo "$f: exit $code"; cat err; return 1;; esac
	done &&
	test "$(test_rows r.db approvals)" = 0
'

test_done
