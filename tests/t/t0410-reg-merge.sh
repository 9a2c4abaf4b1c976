#!/bin/bash
# reg-merge: the fan-in of parallel approval — department streams of the accepted fixtures
# become one stream with every verdict and each dossier's state.
. "$(dirname "$0")/lib.sh"
NOW=2026-11-23T09:00:00+08:00
LATER=2026-11-23T10:00:00+08:00
GREEN=150302-20261123-000002    # 乌海市绿源再生资源有限公司, capital 500000.00
DEPTS="amr tax hrss stats police commerce drug ciq customs housing tourism"

# The fixtures accepted and reviewed by every department (DEPT.xml), made once by the first
# test in $FANOUT; fan_out gives a test its own copy, registry included.
FANOUT=$TRASH/fan-out
fan_out() {
	test -f "$FANOUT/done" && cp "$FANOUT"/*.xml "$FANOUT"/r.db .
}

# The dossiers of a batch in reverse order (stdin to stdout).
reverse() {
	awk '/^  <dossier /{n++} /^<\/batch>/{tail=$0 "\n"; next}
		n{b[n]=b[n] $0 "\n"; next} {head=head $0 "\n"}
		END{printf "%s", head; for (i = n; i > 0; i--) printf "%s", b[i]; printf "%s", tail}'
}

# The batch on stdin without the dossier numbered $1.
without() {
	awk -v n="number=\"$1\"" '/^  <dossier /{buf=""; on=1} on{buf=buf $0 "\n"; if (/^  <\/dossier>/) {if (!index(buf, n)) printf "%s", buf; on=0}; next} {print}'
}

dossier_of() {
	awk -v n="number=\"$1\"" '/^  <dossier /{buf=""; on=1} on{buf=buf $0 "\n"}
		/^  <\/dossier>/{if (index(buf, n)) printf "%s", buf; on=0}' "$2"
}

test_expect_success 'setup: accept the fixtures, every department reviews them' '
	mkdir -p "$FANOUT" && cd "$FANOUT" &&
	reg-apply --db r.db --now $NOW "$FIXTURES/apps.csv" >accepted.xml &&
	for d in $DEPTS; do
		reg-approve --db r.db --now $LATER --dept $d accepted.xml >$d.xml || return 1
	done &&
	sqlite3 r.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null &&
	! grep -q "verdict=\"not-applicable\"" *.xml &&
	test "$(cat *.xml | grep -c "<approval .*signature=")" = "$(test_rows r.db approvals)" &&
	test "$(test_rows r.db approvals)" -gt 100 &&
	touch done
'

test_expect_success 'the department streams merge into approved dossiers, recorded' '
	fan_out &&
	reg-merge --db r.db --now $LATER amr.xml tax.xml hrss.xml stats.xml police.xml commerce.xml \
		drug.xml ciq.xml customs.xml housing.xml tourism.xml >merged.xml &&
	test "$(grep -c "<dossier xmlns=\"urn:regkit:dossier:1\" state=\"approved\">" merged.xml)" = 20 &&
	test "$(grep -c "<approval " merged.xml)" = "$(test_rows r.db approvals)" &&
	! grep -q "<outstanding" merged.xml &&
	xmllint --noout --schema "$SRC/schemas/dossier.xsd" merged.xml &&
	test "$(sqlite3 r.db "select count(*) from dossiers where state = '"'"'approved'"'"'")" = 20 &&
	test "$(sqlite3 r.db "select detail from events where kind = '"'"'approved'"'"' and number = '"'"'$GREEN'"'"'")" = "every applicable item approved"
'

test_expect_success 'a capital changed in one department output: that dossier is refused, naming the department and file; the others come through' '
	fan_out &&
	sed "0,/<capital>500000.00</s//<capital>600000.00</" commerce.xml >commerce-changed.xml &&
	! cmp -s commerce.xml commerce-changed.xml &&
	mv commerce-changed.xml commerce.xml &&
	test_expect_code 1 reg-merge --db r.db --now $LATER amr.xml tax.xml hrss.xml stats.xml police.xml \
		commerce.xml drug.xml ciq.xml customs.xml housing.xml tourism.xml >merged.xml 2>err &&
	grep -q "^reg-merge: commerce.xml:[0-9]*: /dossier: body differs from every version the registry holds for dossier .$GREEN. (changed after review): departments commerce$" err &&
	grep -q "^reg-merge: 1 of 20 dossiers refused$" err &&
	test "$(grep -c "<dossier " merged.xml)" = 19 &&
	test -z "$(dossier_of $GREEN merged.xml)" &&
	test "$(sqlite3 r.db "select count(*) from events where number = '"'"'$GREEN'"'"' and at > 1795399200")" = 0
'

test_expect_success 'merging one complete stream is the identity' '
	reg-apply --db r.db --now $NOW "$FIXTURES/apps.csv" >accepted.xml &&
	reg-approve --db r.db --now $LATER --all accepted.xml >all.xml &&
	reg-merge --db r.db --now $LATER all.xml >again.xml &&
	test_cmp all.xml again.xml &&
	reg-merge --db r.db --now $LATER <again.xml >thrice.xml &&
	test_cmp all.xml thrice.xml
'

test_expect_success 'the order of the inputs changes nothing; a stream out of order is matched by number' '
	fan_out &&
	reg-merge --db r.db --now $LATER amr.xml tax.xml hrss.xml stats.xml police.xml commerce.xml \
		drug.xml ciq.xml customs.xml housing.xml tourism.xml >a.xml &&
	reg-merge --db r.db --now $LATER tourism.xml housing.xml customs.xml ciq.xml drug.xml commerce.xml \
		police.xml stats.xml hrss.xml tax.xml amr.xml >b.xml &&
	test_cmp a.xml b.xml &&
	reverse <tax.xml >tax-reversed.xml &&
	! cmp -s tax.xml tax-reversed.xml &&
	reg-merge --db r.db --now $LATER amr.xml tax-reversed.xml hrss.xml stats.xml police.xml \
		commerce.xml drug.xml ciq.xml customs.xml housing.xml tourism.xml >c.xml &&
	test_cmp a.xml c.xml
'

test_expect_success 'output follows the first input: its order is the only thing it changes' '
	fan_out &&
	reg-merge --db r.db --now $LATER amr.xml tax.xml hrss.xml stats.xml police.xml commerce.xml \
		drug.xml ciq.xml customs.xml housing.xml tourism.xml >a.xml &&
	reverse <amr.xml >amr-reversed.xml &&
	reg-merge --db r.db --now $LATER amr-reversed.xml tax.xml hrss.xml stats.xml police.xml \
		commerce.xml drug.xml ciq.xml customs.xml housing.xml tourism.xml >b.xml &&
	! cmp -s a.xml b.xml &&
	reverse <a.xml >a-reversed.xml &&
	test_cmp a-reversed.xml b.xml
'

test_expect_success 'a department that has not answered leaves the dossiers pending, naming it' '
	reg-apply --db r.db --now $NOW "$FIXTURES/apps.csv" >accepted.xml &&
	for d in amr hrss stats police commerce drug ciq customs housing tourism; do
		reg-approve --db r.db --now $LATER --dept $d accepted.xml >$d.xml || return 1
	done &&
	reg-approve --now $LATER --dept tax --offline accepted.xml >tax.xml &&
	reg-merge --db r.db --now $LATER amr.xml hrss.xml stats.xml police.xml commerce.xml drug.xml \
		ciq.xml customs.xml housing.xml tourism.xml >merged.xml &&
	test "$(grep -c "state=\"pending\"" merged.xml)" = 20 &&
	dossier_of $GREEN merged.xml | sed -n "/<outstanding>/,/<\/outstanding>/p" >got &&
	printf "%s\n" "    <outstanding>" \
		"      <wait item=\"tax-registration\" dept=\"tax\" why=\"no-answer\"/>" \
		"    </outstanding>" >expect &&
	test_cmp expect got &&
	test "$(sqlite3 r.db "select detail from events where kind = '"'"'pending'"'"' and number = '"'"'$GREEN'"'"' order by id desc limit 1")" = "waiting: tax-registration (tax, no-answer)" &&
	reg-merge --db r.db --now $LATER merged.xml tax.xml >done.xml &&
	test "$(grep -c "state=\"approved\"" done.xml)" = 20
'

test_expect_success 'a dossier missing from one stream still comes through, as the registry holds it' '
	fan_out &&
	without $GREEN <tax.xml >tax-short.xml &&
	test "$(grep -c "<dossier " tax-short.xml)" = 19 &&
	reg-merge --db r.db --now $LATER amr.xml tax-short.xml hrss.xml stats.xml police.xml commerce.xml \
		drug.xml ciq.xml customs.xml housing.xml tourism.xml >merged.xml &&
	test "$(grep -c "<dossier " merged.xml)" = 20 &&
	test "$(grep -c "state=\"approved\"" merged.xml)" = 20 &&
	dossier_of $GREEN merged.xml | grep -q "item=\"tax-registration\" dept=\"tax\" verdict=\"approved\""
'

test_expect_success 'a dossier the first input lacks comes last' '
	fan_out &&
	without $GREEN <amr.xml >amr-short.xml &&
	reg-merge --db r.db --now $LATER amr-short.xml tax.xml >merged.xml &&
	grep -o "number=\"[^\"]*\"" merged.xml | tail -1 >last &&
	echo "number=\"$GREEN\"" >expect &&
	test_cmp expect last &&
	test "$(grep -c "<dossier " merged.xml)" = 20
'

test_expect_success 'two different verdicts for one item at one time are refused' '
	fan_out &&
	reg-approve --now $LATER --offline --dept commerce --dossier $GREEN --item recycling \
		--verdict rejected --reason "场地不符" --reviewer 李明 accepted.xml >other.xml &&
	test_expect_code 1 reg-merge --db r.db --now $LATER commerce.xml other.xml >merged.xml 2>err &&
	grep -q "^reg-merge: other.xml:[0-9]*: /dossier/approvals/approval: conflicting verdicts on .recycling. at $LATER: approved by reg-approve (recorded) and rejected by 李明$" err &&
	test "$(grep -c "<dossier " merged.xml)" = 19
'

test_expect_success 'an edited or unsigned verdict in a stream is refused by name, nothing recorded' '
	fan_out &&
	sed "s/item=\"recycling\" dept=\"commerce\" verdict=\"approved\"/item=\"recycling\" dept=\"commerce\" verdict=\"rejected\"/" \
		commerce.xml >edited.xml &&
	sqlite3 r.db .dump >before &&
	test_expect_code 1 reg-merge --db r.db --now $LATER edited.xml >merged.xml 2>err &&
	grep -q "^reg-merge: edited.xml:[0-9]*: /dossier/approvals/approval: verdict on .recycling. by .commerce. at $LATER has a signature that does not match: altered, or signed for another dossier or body$" err &&
	reg-approve --now 2026-11-24T10:00:00+08:00 --offline --dept commerce --dossier $GREEN \
		--item recycling --verdict supplement --reason "照片不清晰" --reviewer 李明 \
		accepted.xml | sed "s/ signature=\"[^\"]*\"//" >unsigned.xml &&
	test_expect_code 1 reg-merge --db r.db --now $LATER unsigned.xml >merged.xml 2>err &&
	grep -q "verdict on .recycling. by .commerce. at 2026-11-24T10:00:00+08:00 is not signed$" err &&
	sqlite3 r.db .dump >after &&
	test_cmp before after
'

test_expect_success 'a later verdict of the same department supersedes: no conflict' '
	fan_out &&
	reg-approve --db r.db --now 2026-11-25T10:00:00+08:00 --dept commerce --dossier $GREEN \
		--item recycling --verdict supplement --reason "场地证明待补" --reviewer 李明 \
		commerce.xml >commerce2.xml &&
	reg-merge --db r.db --now 2026-11-25T10:00:00+08:00 amr.xml tax.xml hrss.xml stats.xml police.xml \
		commerce2.xml drug.xml ciq.xml customs.xml housing.xml tourism.xml >merged.xml &&
	dossier_of $GREEN merged.xml >green &&
	grep -q "state=\"pending\"" green &&
	grep -q "<wait item=\"recycling\" dept=\"commerce\" why=\"supplement\"/>" green &&
	test "$(grep -c "item=\"recycling\"" green)" = 3
'

test_expect_success 'a dossier the registry does not hold is refused' '
	fan_out &&
	test_new_registry other.db &&
	test_expect_code 1 reg-merge --db other.db --now $LATER amr.xml tax.xml >merged.xml 2>err &&
	test "$(grep -c "is not in the registry other.db" err)" = 20 &&
	test "$(test_rows other.db events)" = 0
'

test_expect_success 'a registry that does not exist is an error, and none is created' '
	fan_out &&
	test_expect_code 66 reg-merge --db typo.db --now $LATER amr.xml tax.xml >merged.xml 2>err &&
	grep -q "^reg-merge: typo.db: registry does not exist (reg-apply creates it at the first acceptance)$" err &&
	test ! -e typo.db &&
	! grep -q "<dossier" merged.xml
'

test_expect_success 'single dossiers in, one dossier out; an empty batch gives an empty batch' '
	fan_out &&
	for d in amr tax; do
		{ echo "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"; dossier_of $GREEN $d.xml; } >one-$d.xml || return 1
	done &&
	reg-merge --db r.db --now $LATER one-amr.xml one-tax.xml >one.xml &&
	head -2 one.xml | tail -1 | grep -q "^<dossier xmlns=\"urn:regkit:dossier:1\" state=\"approved\">$" &&
	printf "<batch xmlns=\"urn:regkit:dossier:1\"/>\n" >empty.xml &&
	reg-merge --db r.db --now $LATER empty.xml empty.xml >out &&
	printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<batch xmlns=\"urn:regkit:dossier:1\"/>\n" >expect &&
	test_cmp expect out
'

test_expect_success 'usage, missing input, bad XML: exit codes, nothing written for a missing input' '
	fan_out &&
	test_expect_code 64 reg-merge --no-such-option 2>err &&
	grep -q "^reg-merge: unknown option" err &&
	test_expect_code 64 reg-merge - - </dev/null 2>/dev/null &&
	test_expect_code 66 reg-merge --db r.db amr.xml no-such.xml >out 2>err &&
	grep -q "^reg-merge: no-such.xml: cannot open" err &&
	test ! -s out &&
	echo "not xml" >junk.xml &&
	test_expect_code 65 reg-merge --db r.db amr.xml junk.xml >/dev/null 2>/dev/null &&
	reg-merge --help | grep -q "^usage: reg-merge" &&
	reg-merge --version | grep -q "^reg-merge (regkit) "
'

test_expect_success 'a catalog rule that cannot be evaluated stops the run (78), nothing recorded' '
	fan_out &&
	sed "s|<applies-if>reg:scope-mentions(.保安服务.)</applies-if>|<applies-if>count(string(d:enterprise/d:name)) \&gt; 0</applies-if>|" \
		"$SRC/schemas/catalog.xml" >bad.xml &&
	grep -q "count(string" bad.xml &&
	sqlite3 r.db .dump >before &&
	test_expect_code 78 reg-merge --db r.db --catalog bad.xml --now $LATER amr.xml tax.xml >out 2>err &&
	grep -q "^reg-merge: rule .count(string(d:enterprise/d:name)) > 0.: " err &&
	! grep -q "<dossier" out &&
	sqlite3 r.db .dump >after &&
	test_cmp before after
'

test_expect_success 'hostile XML is refused cleanly' '
	fan_out &&
	for f in "$SRC"/tests/hostile/xml/*.xml; do
		reg-merge --db r.db --now $LATER amr.xml "$f" >/dev/null 2>err; code=$?
		case $code in 0|1|65|66) ;; *) echo "$f: exit $code"; cat err; return 1;; esac
	done
'

test_done
