#!/bin/bash
# t0500 — reg-seal: specimens that never touch the registry, seal codes filed once per USCC
# and reused on every re-run, refusal of a USCC this registry did not issue, dossier input.
. "$(dirname "$0")/lib.sh"

NAME=乌海市恒泰商贸有限公司
USCC=91150302MA0000015Y
USCC2=91150302MA0000023R
NOW=2026-11-23T10:00:00+08:00
SEALS="01-official 02-finance 03-invoice 04-contract 05-legal-rep"

# Record an issuance the way reg-issue does: a dossier row, its body (what the seals are
# drawn from) and its issuance row, written with sqlite3 so these tests need no whole pipeline.
issue() { # DB NUMBER USCC [NAME FORM LEGAL-REP]
	local name=${4:-$NAME} form=${5:-llc} rep=${6:-张伟} zero=$(printf '0%.0s' $(seq 64))
	sqlite3 "$1" "INSERT INTO dossiers (number, name, authority, state, accepted_at,
		body_digest) VALUES ('$2', '$name', '150302', 'issued', 1795399200, '$zero');
		INSERT INTO bodies (number, version, digest, body, enterprise_digest, materials,
		recorded_at) VALUES ('$2', 1, '$zero', '<dossier xmlns=\"urn:regkit:dossier:1\"><enterprise><name>$name</name><form>$form</form><legal-representative><name>$rep</name></legal-representative></enterprise></dossier>', '', '', 1795399200);
		INSERT INTO issuances (number, uscc, issued_at) VALUES ('$2', '$3', 1795399200);"
}

seal_flags() {
	reg-seal --now "$NOW" --name "$NAME" --legal-rep 张伟 "$@"
}

# A new registry holding one issued USCC.
fresh_registry() {
	test_new_registry reg.db &&
	issue reg.db 150302-20261123-000001 $USCC
}

test_expect_success 'the second USCC used below is valid' '
	reg-verify --uscc $USCC2 >/dev/null
'

test_expect_success '--specimen draws five unfiled samples without opening the registry' '
	seal_flags --specimen --db nowhere/reg.db -o out >lines &&
	for s in $SEALS; do
		test -s out/specimen/seals/$s.svg &&
		grep -q "SPECIMEN" out/specimen/seals/$s.svg &&
		! grep -q "class=\"code\"" out/specimen/seals/$s.svg || return 1
	done &&
	test ! -e out/specimen/seals/filing.xml &&
	test ! -e nowhere &&
	test "$(wc -l <lines)" -eq 5 &&
	test "$(cut -f2 lines | sort -u)" = "-"
'

test_expect_success 'a specimen has true size, the name on the arc and no textPath' '
	seal_flags --specimen -o . >/dev/null &&
	grep -q "width=\"40mm\" height=\"40mm\" viewBox=\"0 0 40 40\"" specimen/seals/01-official.svg &&
	grep -q "width=\"40mm\" height=\"30mm\"" specimen/seals/03-invoice.svg &&
	grep -q "width=\"22mm\" height=\"22mm\"" specimen/seals/02-finance.svg &&
	grep -q "width=\"20mm\" height=\"20mm\"" specimen/seals/05-legal-rep.svg &&
	test "$(grep -c "class=\"name\"" specimen/seals/01-official.svg)" -eq 11 &&
	! grep -q textPath specimen/seals/*.svg &&
	grep -q "class=\"star\"" specimen/seals/01-official.svg &&
	! grep -q "class=\"star\"" specimen/seals/03-invoice.svg
'

test_expect_success 'a registry that does not exist is an error, and none is created' '
	test_expect_code 66 seal_flags --uscc $USCC --db typo.db -o out 2>err &&
	grep -q "^reg-seal: typo.db: registry does not exist" err &&
	test ! -e typo.db &&
	test ! -e out/$USCC
'

test_expect_success 'a USCC this registry did not issue is refused and nothing is written' '
	test_new_registry reg.db &&
	test_expect_code 1 seal_flags --uscc $USCC --db reg.db -o out 2>err &&
	grep -q "^reg-seal: --uscc: USCC '\''$USCC'\'' was not issued by this registry$" err &&
	test ! -e out/$USCC &&
	test "$(test_rows reg.db seals)" = 0 &&
	test "$(test_rows reg.db serials)" = 0
'

test_expect_success 'an issued USCC gets five codes of the authority division, filed once' '
	fresh_registry &&
	seal_flags --uscc $USCC --db reg.db -o out >lines &&
	for s in $SEALS; do test -s out/$USCC/seals/$s.svg || return 1; done &&
	test -s out/$USCC/seals/filing.xml &&
	grep "\.svg	" lines | cut -f2 >codes &&
	test "$(wc -l <codes)" -eq 5 &&
	test "$(grep -c "^150302[0-9]\{7\}$" codes)" -eq 5 &&
	test "$(sort -u codes | wc -l)" -eq 5 &&
	sqlite3 reg.db "SELECT code FROM seals ORDER BY type" >filed &&
	test_cmp codes filed &&
	for c in $(cat codes); do grep -q "code=\"$c\"" out/$USCC/seals/filing.xml || return 1; done &&
	grep -q "<total count=\"5\" fee=\"0.00\" spared=\"1000.00\"/>" out/$USCC/seals/filing.xml &&
	grep -q "date=\"2026-11-23\"" out/$USCC/seals/filing.xml &&
	test "$(sqlite3 reg.db "SELECT count(*) FROM events WHERE kind = '\''seal-filed'\''")" = 1
'

test_expect_success 'each seal carries its code; the invoice seal the USCC' '
	fresh_registry &&
	seal_flags --uscc $USCC --db reg.db -o out >lines &&
	while IFS="	" read -r path code; do
		case $path in *.svg) ;; *) continue ;; esac
		test "$(sed -n "s/.*class=\"code\"[^>]*>\([0-9]*\)<.*/\1/p" "$path" | tr -d "\n")" = "$code" ||
			return 1
	done <lines &&
	grep -q ">$USCC</text>" out/$USCC/seals/03-invoice.svg
'

test_expect_success 'seals filed by the shipped test authority say 样本 TEST, with their code' '
	fresh_registry &&
	seal_flags --uscc $USCC --db reg.db -o out >lines &&
	for s in $SEALS; do
		grep -q "class=\"test-authority\"[^>]*>样本 TEST<" out/$USCC/seals/$s.svg &&
		grep -q "class=\"code\"" out/$USCC/seals/$s.svg || return 1
	done &&
	seal_flags --specimen -o out >/dev/null &&
	! grep -q "test-authority" out/specimen/seals/*.svg
'

test_expect_success 're-running reuses the codes and rewrites the same bytes' '
	fresh_registry &&
	seal_flags --uscc $USCC --db reg.db -o out >first &&
	cp -r out/$USCC before &&
	reg-seal --now 2027-01-05T09:00:00+08:00 --name "$NAME" --legal-rep 张伟 --uscc $USCC \
		--db reg.db -o out >second &&
	test_cmp first second &&
	diff -r before out/$USCC &&
	test "$(test_rows reg.db seals)" = 5 &&
	test "$(sqlite3 reg.db "SELECT value FROM serials WHERE name = '\''seal:150302'\''")" = 5 &&
	test "$(sqlite3 reg.db "SELECT count(*) FROM events WHERE kind = '\''seal-filed'\''")" = 1
'

test_expect_success 'files are written whole: mode 0644 under umask 022, no temporary files' '
	fresh_registry &&
	(umask 022 && seal_flags --uscc $USCC --db reg.db -o out >/dev/null) &&
	test "$(stat -c %a out/$USCC/seals/01-official.svg)" = 644 &&
	test "$(ls -A out/$USCC/seals | wc -l)" -eq 6
'

test_expect_success 'seals follow the record: another name or person is refused, nothing filed or written' '
	fresh_registry &&
	sqlite3 reg.db .dump >before &&
	test_expect_code 1 reg-seal --name 乌海市别家商贸有限公司 --legal-rep 张伟 --uscc $USCC \
		--db reg.db -o out 2>err &&
	grep -q "^reg-seal: --name: the name .乌海市别家商贸有限公司. is not the registry.s for USCC $USCC (.$NAME.): no seal filed$" err &&
	test_expect_code 1 reg-seal --name "$NAME" --legal-rep 某人 --uscc $USCC --db reg.db \
		-o out 2>err &&
	grep -q "^reg-seal: --legal-rep: the legal representative .某人. is not the registry.s for USCC $USCC (.张伟.): no seal filed$" err &&
	test_expect_code 1 reg-seal --name "$NAME" --legal-rep 张伟 --form jsc --uscc $USCC \
		--db reg.db -o out 2>err &&
	grep -q "^reg-seal: --form: the legal form .jsc. is not the registry.s" err &&
	sqlite3 reg.db .dump >after &&
	test_cmp before after &&
	test ! -e out/$USCC
'

test_expect_success 'the longest name the window accepts is engraved, in two rows' '
	long=$(printf "恒泰%.0s" $(seq 50)) &&
	person=阿卜杜热合曼·买买提明·艾则孜江·阿不都克力木·吐尔洪阿吉江 &&
	reg-seal --specimen --name "$long" --legal-rep "$person" -o out >/dev/null &&
	for s in $SEALS; do xmllint --noout out/specimen/seals/$s.svg || return 1; done &&
	test "$(grep -c "class=\"name\"" out/specimen/seals/01-official.svg)" -eq 100 &&
	test "$(grep -c "class=\"name\"" out/specimen/seals/03-invoice.svg)" -eq 100 &&
	test "$(grep -c "class=\"name\"" out/specimen/seals/05-legal-rep.svg)" -eq 30
'

test_expect_success 'a name longer than the window accepts is refused and burns no serial' '
	fresh_registry &&
	long=$(printf "恒%.0s" $(seq 101)) &&
	test_expect_code 1 reg-seal --name "$long" --legal-rep 张伟 --uscc $USCC --db reg.db \
		-o out 2>err &&
	grep -q "^reg-seal: --name: the name .恒恒恒.* is not the registry.s for USCC $USCC" err &&
	test_expect_code 1 reg-seal --specimen --name "$long" --legal-rep 张伟 -o out 2>err &&
	grep -q "^reg-seal: --name: enterprise name .* is too long for a seal: at most 100 characters$" err &&
	test "$(test_rows reg.db seals)" = 0 &&
	test "$(test_rows reg.db serials)" = 0 &&
	test ! -e out/$USCC
'

cat >dossiers.xml <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<batch xmlns="urn:regkit:dossier:1">
  <dossier state="issued">
    <enterprise>
      <name>乌海市恒泰商贸股份有限公司</name>
      <form>jsc</form>
      <legal-representative><name>李娜</name></legal-representative>
    </enterprise>
    <issuance uscc="$USCC2" time="2026-11-23T10:00:00+08:00" authority="150302"/>
  </dossier>
  <dossier state="approved">
    <enterprise>
      <name>乌海市新华商贸有限公司</name>
      <form>llc</form>
      <legal-representative><name>王强</name></legal-representative>
    </enterprise>
  </dossier>
</batch>
EOF
mv dossiers.xml "$TRASH/dossiers.xml"

test_expect_success 'a batch: the issued dossier is sealed, the unissued one refused with its line' '
	fresh_registry &&
	issue reg.db 150302-20261123-000002 $USCC2 乌海市恒泰商贸股份有限公司 jsc 李娜 &&
	seal_flags --uscc $USCC --db reg.db -o out >/dev/null &&
	test_expect_code 1 reg-seal --now "$NOW" --db reg.db -o out "$TRASH/dossiers.xml" \
		>lines 2>err &&
	grep -q "^reg-seal: $TRASH/dossiers.xml:11: /dossier/issuance: the dossier has not been issued" err &&
	test "$(wc -l <err)" -eq 1 &&
	grep -q "width=\"42mm\"" out/$USCC2/seals/01-official.svg &&
	grep -q "<name>乌海市恒泰商贸股份有限公司</name>" out/$USCC2/seals/filing.xml &&
	grep -q "<legal-representative>李娜</legal-representative>" out/$USCC2/seals/filing.xml &&
	grep -q "form=\"jsc\"" out/$USCC2/seals/filing.xml &&
	test "$(grep -c "\.svg	15030200000\(0[6-9]\|10\)$" lines)" -eq 5
'

test_expect_success 'a batch in specimen mode: one folder per dossier, from standard input' '
	reg-seal --specimen -o out <"$TRASH/dossiers.xml" >lines &&
	test -s out/specimen-1/seals/01-official.svg &&
	test -s out/specimen-2/seals/05-legal-rep.svg &&
	grep -q ">王<" out/specimen-2/seals/05-legal-rep.svg &&
	grep -q ">$USCC2</text>" out/specimen-1/seals/03-invoice.svg &&
	test ! -e registry.db
'

test_expect_success 'input that is not XML is 65, a missing file 66' '
	echo "not xml" >bad.xml &&
	test_expect_code 65 reg-seal --specimen -o out bad.xml 2>err &&
	grep -q "^reg-seal: bad.xml" err &&
	test_expect_code 66 reg-seal --specimen -o out missing.xml 2>err &&
	grep -q "^reg-seal: missing.xml" err
'

test_expect_success 'usage errors are 64' '
	test_expect_code 64 reg-seal --name "$NAME" --legal-rep 张伟 --uscc $USCC x.xml 2>/dev/null &&
	test_expect_code 64 reg-seal --name "$NAME" --legal-rep 张伟 2>/dev/null &&
	test_expect_code 64 reg-seal --name "$NAME" --uscc $USCC 2>/dev/null &&
	test_expect_code 64 reg-seal --specimen --name "$NAME" --legal-rep 张伟 --form gmbh 2>/dev/null &&
	test_expect_code 64 reg-seal --bogus 2>/dev/null &&
	test_expect_code 64 reg-seal a.xml b.xml 2>/dev/null
'

test_expect_success 'an output folder that cannot be created is 73' '
	echo file >blocker &&
	test_expect_code 73 seal_flags --specimen -o blocker/out 2>err &&
	grep -q "^reg-seal: blocker/out: cannot create directory" err
'

test_expect_success '--help and --version' '
	reg-seal --help >out && grep -q "^usage: reg-seal" out && grep -q -- "--specimen" out &&
	reg-seal --version >out && grep -q "^reg-seal (regkit) " out
'

test_done
