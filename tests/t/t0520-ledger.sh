#!/bin/bash
# t0520 — the ledger decides: what travels between the tools is a proposal, the registry is the
# record.  Each case below was accepted before the registry governed; each refusal must leave the
# registry exactly as it was (a dump before and after).
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1795395600   # 2026-11-23T09:00:00+08:00
AUTH=$FIXTURES/authority
FIRST=150302-20261123-000001          # 乌海市恒泰商贸有限公司
SECOND=150302-20261123-000002         # 乌海市绿源再生资源有限公司

# two.csv: the first two fixture applications, with their material files.
two() {
	cp -r "$FIXTURES/materials" . &&
	head -n 3 "$FIXTURES/apps.csv" >two.csv
}

dump() {
	sqlite3 r.db .dump
}

# edit FILE PYTHON — change an XML file with a few lines of Python (s is its text).
edit() {
	python3 - "$1" "$2" <<-'PY'
	import sys
	path, code = sys.argv[1], sys.argv[2]
	s = open(path, encoding="utf-8").read()
	exec(code)
	open(path, "w", encoding="utf-8").write(s)
	PY
}

# dossier_of NUMBER FILE — one dossier of a batch, as a document of its own.
dossier_of() {
	python3 - "$1" "$2" <<-'PY'
	import re, sys
	text = open(sys.argv[2], encoding="utf-8").read()
	for d in re.findall(r"<dossier .*?</dossier>", text, re.S):
	    if 'number="%s"' % sys.argv[1] in d:
	        print('<?xml version="1.0" encoding="UTF-8"?>')
	        print(d.replace("<dossier ", '<dossier xmlns="urn:regkit:dossier:1" ', 1)
	              if "xmlns=" not in d.split(">", 1)[0] else d)
	PY
}

test_expect_success 'a state typed into the stream issues nothing' '
	two && reg-apply --db r.db two.csv >accepted.xml &&
	sed "s/state=\"accepted\"/state=\"approved\"/" accepted.xml >typed.xml &&
	dump >before &&
	test_expect_code 1 reg-issue --db r.db -o out typed.xml >issued.tsv 2>err &&
	grep -q "dossier $FIRST is accepted in the registry, not approved: not issued" err &&
	test ! -s issued.tsv && test -z "$(ls out)" &&
	dump >after && test_cmp before after
'

test_expect_success 'a rejection flipped to an approval in the stream is refused, the rejection final' '
	two && reg-apply --db r.db two.csv >accepted.xml &&
	reg-approve --db r.db --all accepted.xml >all.xml &&
	reg-approve --db r.db --dept tax --dossier $FIRST --verdict rejected --reason "欠缴税款" \
		--reviewer 赵税 --now 2026-11-23T11:00:00+08:00 all.xml >tax.xml &&
	reg-merge --db r.db --now 2026-11-23T11:00:00+08:00 tax.xml >merged.xml &&
	test "$(sqlite3 r.db "select state from dossiers where number = '"'"'$FIRST'"'"'")" = rejected &&
	sed "s/verdict=\"rejected\" reviewer=\"赵税\"/verdict=\"approved\" reviewer=\"赵税\"/" merged.xml >flipped.xml &&
	! cmp -s merged.xml flipped.xml &&
	dump >before &&
	test_expect_code 1 reg-merge --db r.db --now 2026-11-23T12:00:00+08:00 flipped.xml >/dev/null 2>err &&
	grep -q "verdict on .tax-registration. by .tax. at 2026-11-23T11:00:00+08:00 has a signature that does not match" err &&
	dossier_of $FIRST flipped.xml | sed "s/state=\"rejected\"/state=\"approved\"/" >flipped2.xml &&
	test_expect_code 1 reg-issue --db r.db -o out flipped2.xml >/dev/null 2>err &&
	grep -q "dossier $FIRST is rejected in the registry, not approved: not issued" err &&
	dump >after && test_cmp before after &&
	test "$(sqlite3 r.db "select state from dossiers where number = '"'"'$FIRST'"'"'")" = rejected
'

test_expect_success 'approvals copied from another dossier are refused' '
	two && reg-apply --db r.db two.csv >accepted.xml &&
	reg-approve --db r.db --all accepted.xml >all.xml &&
	dossier_of $SECOND accepted.xml >second.xml &&
	dossier_of $FIRST all.xml >first.xml &&
	edit second.xml "
import re
ap = re.search(r\"<approvals>.*</approvals>\", open(\"first.xml\").read(), re.S).group(0)
s = s.replace(\"</dossier>\", ap + \"</dossier>\")" &&
	grep -q "<approvals>" second.xml &&
	dump >before &&
	test_expect_code 1 reg-merge --db r.db second.xml >/dev/null 2>err &&
	grep -q "was given on a body the registry does not hold for dossier .$SECOND." err &&
	dump >after && test_cmp before after
'

test_expect_success 'forged, unsigned and wrongly signed verdicts for departments that never answered' '
	two && reg-apply --db r.db two.csv >accepted.xml &&
	dossier_of $FIRST accepted.xml >first.xml &&
	reg-approve --db r.db --dept amr first.xml >amr.xml &&
	digest=$(grep -o "body-digest=\"[0-9a-f]*\"" amr.xml | head -1 | cut -d\" -f2) &&
	T=2026-11-23T10:00:00+08:00 &&
	: an approval for tax written by hand, no signature &&
	cp amr.xml unsigned.xml &&
	edit unsigned.xml "s = s.replace(\"</approvals>\", \"<approval item=\\\"tax-registration\\\" dept=\\\"tax\\\" verdict=\\\"approved\\\" reviewer=\\\"无名\\\" time=\\\"$T\\\" body-digest=\\\"$digest\\\"/></approvals>\")" &&
	dump >before &&
	test_expect_code 1 reg-merge --db r.db unsigned.xml >/dev/null 2>err &&
	grep -q "verdict on .tax-registration. by .tax. at $T is not signed$" err &&
	: the statement of docs/signatures.md, signed by hand with commerce key &&
	printf "regkit-verdicts/1\ndossier: %s\ndepartment: tax\nbody-digest: %s\ntime: %s\nreviewer: 无名\nitem: tax-registration approved\n" \
		$FIRST $digest $T >statement &&
	openssl pkeyutl -sign -inkey "$AUTH/departments/commerce.key" -rawin -in statement -out statement.sig &&
	sig=$(base64 -w0 statement.sig) &&
	sed "s|reviewer=\"无名\" time=\"$T\" body-digest=\"$digest\"/>|reviewer=\"无名\" time=\"$T\" body-digest=\"$digest\" signature=\"$sig\"/>|" unsigned.xml >wrongkey.xml &&
	grep -q "signature=\"$sig\"" wrongkey.xml &&
	test_expect_code 1 reg-merge --db r.db wrongkey.xml >/dev/null 2>err &&
	grep -q "verdict on .tax-registration. by .tax. at $T is signed with the key of .commerce., not of .tax.$" err &&
	: the same statement signed with tax own key goes in &&
	openssl pkeyutl -sign -inkey "$AUTH/departments/tax.key" -rawin -in statement -out good.sig &&
	sed "s|$sig|$(base64 -w0 good.sig)|" wrongkey.xml >good.xml &&
	dump >after && test_cmp before after &&
	reg-merge --db r.db good.xml >/dev/null &&
	test "$(sqlite3 r.db "select reviewer from approvals where dept = '"'"'tax'"'"'")" = 无名
'

test_expect_success 'a verdict given on another body of the same dossier is refused' '
	two && reg-apply --db r.db two.csv >accepted.xml &&
	dossier_of $FIRST accepted.xml >first.xml &&
	sed "s|<capital>1000000.00</capital>|<capital>1500000.00</capital>|" first.xml >other-body.xml &&
	reg-approve --offline --dept tax other-body.xml >tax-other.xml &&
	dump >before &&
	test_expect_code 1 reg-merge --db r.db tax-other.xml >/dev/null 2>err &&
	grep -q "body differs from every version the registry holds for dossier .$FIRST." err &&
	edit first.xml "
import re
ap = re.search(r\"<approvals>.*</approvals>\", open(\"tax-other.xml\").read(), re.S).group(0)
s = s.replace(\"</dossier>\", ap + \"</dossier>\")" &&
	test_expect_code 1 reg-merge --db r.db first.xml >/dev/null 2>err &&
	grep -q "verdict on .tax-registration. by .tax. was given on a body the registry does not hold" err &&
	dump >after && test_cmp before after
'

test_expect_success 'a tool signing as the TEST authority says so once' '
	two && reg-apply --db r.db two.csv >accepted.xml &&
	reg-approve --db r.db --all accepted.xml 2>err-approve | reg-merge --db r.db 2>err-merge |
		reg-issue --db r.db -o out 2>err-issue >issued.tsv &&
	test "$(grep -c "note: signing as the TEST authority 乌海市海勃湾区市场监督管理局" err-approve)" = 1 &&
	test "$(grep -c "note: signing as the TEST authority 乌海市海勃湾区市场监督管理局" err-issue)" = 1 &&
	! grep -q "TEST authority" err-merge &&
	reg-verify out/*.tar.gz >verdicts &&
	test "$(grep -c "	ok	signed by the TEST authority 乌海市海勃湾区市场监督管理局, whose keys are public: it proves nothing$" verdicts)" = 2
'

test_expect_success 'a rejected applicant may apply under the same name again, with a new number' '
	two && reg-apply --db r.db two.csv >accepted.xml &&
	reg-approve --db r.db --dept tax --dossier $FIRST --verdict rejected --reason "欠缴税款" \
		--reviewer 赵税 accepted.xml >/dev/null &&
	test "$(sqlite3 r.db "select state from dossiers where number = '"'"'$FIRST'"'"'")" = rejected &&
	test "$(sqlite3 r.db "select count(*) from names where name = '"'"'乌海市恒泰商贸有限公司'"'"'")" = 0 &&
	head -n 2 two.csv >again.csv &&
	reg-apply --db r.db --now 2026-11-24T09:00:00+08:00 again.csv >again.xml &&
	grep -q "number=\"150302-20261124-000001\"" again.xml &&
	test "$(sqlite3 r.db "select number from names where name = '"'"'乌海市恒泰商贸有限公司'"'"'")" = 150302-20261124-000001
'

test_expect_success 'an issued dossier keeps its name' '
	two && reg-apply --db r.db two.csv | reg-approve --db r.db --all 2>/dev/null |
		reg-merge --db r.db | reg-issue --db r.db -o out >/dev/null 2>&1 &&
	head -n 2 two.csv >again.csv &&
	test_expect_code 1 reg-apply --db r.db --now 2026-11-24T09:00:00+08:00 again.csv >/dev/null 2>err &&
	grep -q "is already registered" err
'

test_expect_success 'a department on a host without the registry reviews with files only' '
	two && reg-apply --db r.db two.csv >accepted.xml &&
	: the authority hands out its public file, the department keeps its own key &&
	mkdir -p host/departments && cp "$AUTH"/*.pub host/ && cp "$AUTH"/departments/*.pub host/departments/ &&
	sed "s/ private=\"[^\"]*\"//" "$AUTH/authority.xml" >host/authority.xml &&
	! grep -q "private=\"" host/authority.xml &&
	cp "$AUTH/departments/tax.key" host/tax.key &&
	( cd host && reg-approve --offline --dept tax --key tax.key --authority authority.xml \
		--catalog "$SRC/schemas/catalog.xml" --now 2026-11-23T10:00:00+08:00 \
		<../accepted.xml >../tax.xml 2>../tax.err ) &&
	test ! -e host/registry.db &&
	test "$(grep -c "item=\"tax-registration\" dept=\"tax\" verdict=\"approved\"" tax.xml)" = 2 &&
	: the other departments at the authority &&
	for d in amr hrss stats police commerce; do
		reg-approve --db r.db --dept $d accepted.xml >$d.xml || return 1
	done &&
	: one edited byte in the department stream is refused by name &&
	sed "s/reviewer=\"reg-approve\" time=\"2026-11-23T10:00:00+08:00\"/reviewer=\"reg-approvf\" time=\"2026-11-23T10:00:00+08:00\"/" tax.xml >tax-edited.xml &&
	! cmp -s tax.xml tax-edited.xml &&
	dump >before &&
	test_expect_code 1 reg-merge --db r.db amr.xml tax-edited.xml hrss.xml stats.xml police.xml commerce.xml >/dev/null 2>err &&
	grep -q "^reg-merge: tax-edited.xml:[0-9]*: /dossier/approvals/approval: verdict on .tax-registration. by .tax. at 2026-11-23T10:00:00+08:00 has a signature that does not match" err &&
	dump >after && test_cmp before after &&
	: the genuine stream is recorded and the dossiers issued &&
	reg-merge --db r.db amr.xml tax.xml hrss.xml stats.xml police.xml commerce.xml >merged.xml &&
	test "$(grep -c "state=\"approved\"" merged.xml)" = 2 &&
	test -n "$(sqlite3 r.db "select key_id from approvals where dept = '"'"'tax'"'"' limit 1")" &&
	reg-issue --db r.db -o out merged.xml >issued.tsv 2>/dev/null &&
	test "$(wc -l <issued.tsv)" = 2
'

test_expect_success 'the documented openssl command checks one verdict of an archive' '
	two && reg-apply --db r.db two.csv | reg-approve --db r.db --all 2>/dev/null |
		reg-merge --db r.db | reg-issue --db r.db -o out >issued.tsv 2>/dev/null &&
	uscc=$(head -n 1 issued.tsv | cut -f1) &&
	mkdir x && bsdtar -xzf out/$uscc.tar.gz -C x &&
	tax=$(ls x/$uscc/verdicts/*-tax.txt) &&
	grep -qx "item: tax-registration approved" "$tax" &&
	openssl pkeyutl -verify -pubin -inkey "$AUTH/departments/tax.pub" -rawin \
		-in "$tax" -sigfile "${tax%.txt}.sig" >out.txt &&
	grep -q "Signature Verified Successfully" out.txt &&
	: another department key does not verify it &&
	test_must_fail openssl pkeyutl -verify -pubin -inkey "$AUTH/departments/amr.pub" -rawin \
		-in "$tax" -sigfile "${tax%.txt}.sig" >/dev/null 2>&1
'

test_expect_success 'reg-verify checks every department signature: a forger with the TEST key is caught' '
	two && reg-apply --db r.db two.csv | reg-approve --db r.db --all 2>/dev/null |
		reg-merge --db r.db | reg-issue --db r.db -o out >issued.tsv 2>/dev/null &&
	uscc=$(head -n 1 issued.tsv | cut -f1) &&
	mkdir x && bsdtar -xzf out/$uscc.tar.gz -C x &&
	sed -i "s/item=\"statistics\" dept=\"stats\" verdict=\"approved\"/item=\"statistics\" dept=\"stats\" verdict=\"rejected\"/" x/$uscc/dossier.xml &&
	(cd x/$uscc && find . -type f ! -name MANIFEST ! -name MANIFEST.sig | sed "s|^\./||" |
		LC_ALL=C sort | xargs sha256sum >MANIFEST &&
		openssl pkeyutl -sign -inkey "$AUTH/authority.key" -rawin -in MANIFEST -out MANIFEST.sig) &&
	(cd x && bsdtar -czf ../forged.tar.gz $uscc) &&
	test_expect_code 1 reg-verify forged.tar.gz >out.tsv &&
	grep -q "	invalid	.*verdicts/[0-9]*-stats.txt: not the statement of dossier.xml.s verdicts of .stats." out.tsv &&
	grep -q "the verdict of .stats. on .statistics. at .* has a signature that does not match" out.tsv
'

test_expect_success 'input outside the body digest never reaches the signed dossier' '
	two && reg-apply --db r.db two.csv | reg-approve --db r.db --all 2>/dev/null |
		reg-merge --db r.db >merged.xml &&
	edit merged.xml "
s = s.replace(\"<enterprise>\", \"<!-- 本执照已被吊销 --><enterprise>\")
s = s.replace(\"</approvals>\", \"</approvals><outstanding><wait item=\\\"tax-registration\\\" dept=\\\"tax\\\" why=\\\"no-answer\\\"/></outstanding>\")
s = s.replace(\"</dossier>\", \"<rejection><problem>本执照已被吊销</problem></rejection></dossier>\")" &&
	grep -q "本执照已被吊销" merged.xml &&
	reg-issue --db r.db -o out merged.xml >issued.tsv 2>/dev/null &&
	test "$(wc -l <issued.tsv)" = 2 &&
	for a in out/*.tar.gz; do
		bsdtar -xOzf $a "*/dossier.xml" >d.xml &&
		! grep -q "本执照已被吊销\|<outstanding\|<rejection\|<!--" d.xml || return 1
	done
'

test_expect_success 'a re-issue writes the recorded bytes; altered approvals are refused' '
	two && reg-apply --db r.db two.csv | reg-approve --db r.db --all 2>/dev/null |
		reg-merge --db r.db >merged.xml &&
	reg-issue --db r.db -o out merged.xml >first.tsv 2>/dev/null &&
	cp -r out kept &&
	rm out/*.tar.gz &&
	reg-issue --db r.db -o out merged.xml >again.tsv 2>/dev/null &&
	test_cmp first.tsv again.tsv &&
	for f in kept/*.tar.gz; do cmp "$f" out/${f#kept/} || return 1; done &&
	sed "0,/reviewer=\"reg-approve\"/s//reviewer=\"某人\"/" merged.xml >altered.xml &&
	dump >before &&
	test_expect_code 1 reg-issue --db r.db -o out altered.xml >/dev/null 2>err &&
	grep -q "not issued: the approved verdict on .business-license. by .amr. at .* is not one the registry recorded" err &&
	grep -q "not issued: the registry.s approved verdict on .business-license. by .amr. at .* is missing from the input" err &&
	for f in kept/*.tar.gz; do cmp "$f" out/${f#kept/} || return 1; done &&
	dump | grep -v "reissued\|sqlite_sequence" >after &&
	grep -v "reissued\|sqlite_sequence" before >before2 && test_cmp before2 after &&
	reg-verify --db r.db out/*.tar.gz | grep -c "	ok	" >n && test "$(cat n)" = 2
'

test_expect_success 'a new edition is asked for; both editions are kept and verify' '
	two && reg-apply --db r.db two.csv | reg-approve --db r.db --all 2>/dev/null |
		reg-merge --db r.db >merged.xml &&
	reg-issue --db r.db -o out merged.xml >first.tsv 2>/dev/null &&
	uscc=$(head -n 1 first.tsv | cut -f1) &&
	reg-issue --db r.db -o out --new-edition --now 2026-12-01T09:00:00+08:00 merged.xml >second.tsv 2>/dev/null &&
	grep -q "^$uscc	out/$uscc-2.tar.gz	[0-9a-f]\{64\}$" second.tsv &&
	test -f out/$uscc.tar.gz && test -f out/$uscc-2.tar.gz &&
	test "$(sqlite3 r.db "select count(*) from archives where uscc = '"'"'$uscc'"'"'")" = 2 &&
	bsdtar -xOzf out/$uscc-2.tar.gz "*/dossier.xml" >d2.xml &&
	grep -q "edition=\"2\" edition-time=\"2026-12-01T09:00:00+08:00\" supersedes=\"$(sha256sum out/$uscc.tar.gz | cut -d" " -f1)\"" d2.xml &&
	reg-verify --db r.db out/$uscc.tar.gz out/$uscc-2.tar.gz >v.tsv &&
	grep -q "^out/$uscc.tar.gz	ok	edition 1, superseded by edition 2; signed by the TEST" v.tsv &&
	grep -q "^out/$uscc-2.tar.gz	ok	edition 2; signed by the TEST" v.tsv &&
	: the registry refuses to change a recorded archive &&
	test_must_fail sqlite3 r.db "update archives set sha256 = '"'"'x'"'"'" 2>err &&
	grep -q "issued archives are never changed" err
'

test_expect_success 'acceptances a failed output stranded are handed back, not refused' '
	two &&
	test_expect_code 74 reg-apply --db r.db two.csv >/dev/full 2>err &&
	test "$(test_rows r.db dossiers)" -ge 1 &&
	dump | grep -v "INSERT INTO events\|sqlite_sequence" >before &&
	reg-apply --db r.db two.csv >again.xml 2>notes &&
	grep -q "^reg-apply: two.csv:2: already accepted as $FIRST (accepted): the same dossier, written again$" notes &&
	grep -q "number=\"$FIRST\"" again.xml && grep -q "number=\"$SECOND\"" again.xml &&
	dump | grep -v "INSERT INTO events\|sqlite_sequence" >after && test_cmp before after &&
	test "$(sqlite3 r.db "select count(*) from events where kind = '"'"'resubmitted'"'"'")" = 2 &&
	reg-status --db r.db --export $FIRST >exported.xml &&
	dossier_of $FIRST again.xml >first-again.xml &&
	reg-diff exported.xml first-again.xml
'

test_done
