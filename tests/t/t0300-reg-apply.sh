#!/bin/bash
# reg-apply: one-window acceptance of the shipped fixtures, negatives and hostile input.
. "$(dirname "$0")/lib.sh"
NOW=2026-11-23T09:00:00+08:00

test_expect_success 'the 20 CSV applications are accepted whole' '
	reg-apply --db r.db --now $NOW "$FIXTURES/apps.csv" >out.xml &&
	test "$(grep -c "<dossier " out.xml)" = 20 &&
	test "$(test_rows r.db dossiers)" = 20 &&
	xmllint --noout --schema "$SRC/schemas/dossier.xsd" out.xml
'

test_expect_success 'the same applications in GBK give the same dossiers' '
	reg-apply --db a.db --now $NOW "$FIXTURES/apps.csv" >utf8.xml &&
	reg-apply --db b.db --now $NOW --encoding gbk "$FIXTURES/apps-gbk.csv" >gbk.xml &&
	test_cmp utf8.xml gbk.xml
'

test_expect_success 'the XML batch on stdin is accepted whole and stays a batch' '
	(cd "$FIXTURES" && reg-apply --db "$OLDPWD/r.db" --now $NOW <apps.xml) >out.xml &&
	test "$(grep -c "<dossier " out.xml)" = 20 &&
	grep -q "^<batch " out.xml &&
	xmllint --noout --schema "$SRC/schemas/dossier.xsd" out.xml
'

test_expect_success 'Chinese column names are aliases' '
	reg-apply --db r.db --now $NOW "$FIXTURES/apps-zh-header.csv" >out.xml &&
	test "$(grep -c "<dossier " out.xml)" = 3
'

test_expect_success 'acceptance numbers count per day, window and clerk are recorded' '
	reg-apply --db r.db --now $NOW --window 07 --clerk 王芳 "$FIXTURES/apps.csv" >out.xml &&
	grep -o "number=\"[^\"]*\"" out.xml | sed -n "1p;20p" >numbers &&
	printf "number=\"150302-20261123-000001\"\nnumber=\"150302-20261123-000020\"\n" >expect &&
	test_cmp expect numbers &&
	grep -q "window=\"07\" clerk=\"王芳\" time=\"2026-11-23T09:00:00+08:00\"" out.xml &&
	reg-apply --db r.db --now 2026-11-24T08:00:00+08:00 "$FIXTURES/apps-zh-header.csv" >next.xml &&
	grep -q "number=\"150302-20261124-000001\"" next.xml
'

test_expect_success 'a material file is hashed and lists the items that use it' '
	reg-apply --db r.db --now $NOW "$FIXTURES/apps.csv" >out.xml &&
	want=$(sha256sum "$FIXTURES/materials/hengtai/articles.txt" | cut -d" " -f1) &&
	grep "type=\"articles\" href=\"materials/hengtai/articles.txt\"" out.xml >line &&
	grep -q "sha256=\"$want\"" line &&
	grep -q "items=\"business-license org-code" line
'

test_expect_success 'every negative fixture is refused with its line and field, leaving no trace' '
	(cd "$FIXTURES/bad" &&
	 for f in *.csv xml/*.xml; do
		rm -f "$OLDPWD"/b.db*
		reg-apply --db "$OLDPWD/b.db" --now $NOW "$f" >/dev/null 2>"$OLDPWD/err"
		echo "$f $? $(sqlite3 "$OLDPWD/b.db" "select count(*) from dossiers")"
		sed "s/^/  /" "$OLDPWD/err"
	 done) >actual &&
	test_cmp "$SRC/tests/t/t0300/expect-bad" actual
'

test_expect_success 'a rejected row burns no acceptance number' '
	reg-apply --db r.db --now $NOW "$FIXTURES/bad/shares-not-100.csv" >/dev/null 2>&1
	test "$(sqlite3 r.db "select count(*) from dossiers")" = 1 &&
	test "$(sqlite3 r.db "select count(*) from events")" = 1 &&
	test "$(sqlite3 r.db "select count(*) from names")" = 1 &&
	reg-apply --db r.db --now $NOW "$FIXTURES/apps-zh-header.csv" >out.xml &&
	grep -q "number=\"150302-20261123-000002\"" out.xml
'

test_expect_success '--rejects writes the rejected rows back as CSV with line and reason' '
	test_expect_code 1 reg-apply --db r.db --now $NOW --rejects rej.csv \
		"$FIXTURES/bad/shares-not-100.csv" >/dev/null 2>&1 &&
	test "$(wc -l <rej.csv)" = 2 &&
	head -1 rej.csv | grep -q ",line,reason$" &&
	tail -1 rej.csv | grep -q ",3,\"shareholders: shares sum to 99.99%, not exactly 100%\"$"
'

# What a spreadsheet would run (CSV injection), in the address of a row that is rejected.
FORMULA="=cmd|' /C calc'!A0"
test_expect_success '--rejects writes formulas as text; corrected, the file is accepted as it is' '
	sed -e "s#乌海市海勃湾区林荫北路15号#$FORMULA#" -e "s#,0473-3900005,#,+86-473-3900005,#" \
		"$FIXTURES/bad/shares-not-100.csv" >inj.csv &&
	grep -qF ",$FORMULA," inj.csv &&
	test_expect_code 1 reg-apply --db r.db --now $NOW --rejects rej.csv inj.csv >/dev/null 2>&1 &&
	grep -qF ",'"'"'$FORMULA," rej.csv &&
	grep -qF ",'"'"'+86-473-3900005," rej.csv &&
	python3 -c "import csv, sys; rows = list(csv.reader(open(sys.argv[1], encoding=\"utf-8-sig\")))
sys.exit(len(rows) != 2 or any(f[:1] in \"=+-@\t\r\" and f for r in rows for f in r))" rej.csv &&
	test_expect_code 1 reg-apply --db r.db --now $NOW --rejects rej2.csv rej.csv >/dev/null 2>&1 &&
	sed "s/,3,\"shareholders:/,2,\"shareholders:/" rej.csv >expect &&
	test_cmp expect rej2.csv &&
	sed "s/:39.99,/:40,/" rej.csv >fixed.csv &&
	reg-apply --db r.db --now $NOW fixed.csv >out.xml &&
	grep -qF ">$FORMULA</address>" out.xml &&
	grep -qF "<phone>+86-473-3900005</phone>" out.xml &&
	test "$(test_rows r.db dossiers)" = 2
'

test_expect_success '--rejects of XML input keeps the dossier with a <rejection>' '
	test_expect_code 1 reg-apply --db r.db --now $NOW --rejects rej.xml \
		"$FIXTURES/bad/xml/citizen-id-check.xml" >out.xml 2>/dev/null &&
	grep -q "<problem line=\"12\" field=\"/dossier/enterprise/legal-representative/citizen-id\">check character should be 8</problem>" rej.xml &&
	! grep -q "<dossier" out.xml
'

test_expect_success 'an authority of any county-level division accepts there (深圳市南山区)' '
	cat >authority.xml <<-EOF &&
	<authority xmlns="urn:regkit:authority:1" test-only="true">
	  <division>440305</division>
	  <name>深圳市南山区市场监督管理局</name>
	  <time-zone>+08:00</time-zone>
	  <signing-key private="$FIXTURES/authority/authority.key"
	               public="$FIXTURES/authority/authority.pub"/>
	</authority>
	EOF
	head -2 "$FIXTURES/bad/shares-not-100.csv" >wuhai.csv &&
	sed "2s/^乌海市永盛商贸/深圳市南山区永盛商贸/; 2s/,150302,乌海市海勃湾区黄河东街14号,/,440305,深圳市南山区科技园路1号,/" \
		wuhai.csv >nanshan.csv &&
	grep -q ",440305,深圳市南山区" nanshan.csv &&
	reg-apply --db r.db --now $NOW --authority authority.xml nanshan.csv >out.xml 2>err &&
	grep -q "number=\"440305-20261123-000001\"" out.xml &&
	grep -q "<name>深圳市南山区永盛商贸有限公司</name>" out.xml &&
	test_expect_code 1 reg-apply --db r.db --now $NOW --authority authority.xml wuhai.csv \
		>out.xml 2>err &&
	grep "division 150302 (内蒙古自治区乌海市海勃湾区) is outside the area of 深圳市南山区市场监督管理局" err
'

# The first application of fixtures/apps.csv with some columns changed: row COLUMN=VALUE…
row() {
	python3 - "$FIXTURES/apps.csv" "$@" <<-\EOT
	import csv, sys
	rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
	header, row = rows[0], rows[1]
	for change in sys.argv[2:]:
	    column, value = change.split("=", 1)
	    row[header.index(column)] = value
	out = csv.writer(sys.stdout, lineterminator="\n")
	out.writerow(header)
	out.writerow(row)
	EOT
}

test_expect_success 'people'"'"'s names are checked at the window, and one person is one shareholder' '
	test_new_registry r.db && sqlite3 r.db .dump >before &&
	cp -r "$FIXTURES/materials" . &&
	row "legal_rep_name==1+1" "finance_officer_name=阿拉坦・其其格" \
		"shareholders=张 伟:15030219850315609X:60;李娜:15030219850315609x:40" >names.csv &&
	test_expect_code 1 reg-apply --db r.db --now $NOW names.csv 2>err &&
	cat >expect <<-\EOT &&
	reg-apply: names.csv:2: legal_rep_name: character '"'"'='"'"' (U+003D) not allowed in a person'"'"'s name
	reg-apply: names.csv:2: legal_rep_name: digit '"'"'1'"'"' not allowed in a person'"'"'s name
	reg-apply: names.csv:2: finance_officer_name: '"'"'・'"'"' (U+30FB) is not the middle dot: the parts of a name are joined by '"'"'·'"'"' (U+00B7)
	reg-apply: names.csv:2: shareholders: shareholder 1: space (U+0020) not allowed in a person'"'"'s name: the parts of a name are joined by the middle dot '"'"'·'"'"' (U+00B7)
	reg-apply: names.csv:2: shareholders: shareholder '"'"'李娜'"'"': character '"'"'x'"'"' at position 18 is lower case: use upper case
	reg-apply: names.csv:2: shareholders: shareholders 1 and 2 have the same citizen id: one person is one shareholder
	reg-apply: 1 of 1 applications rejected
	EOT
	test_cmp expect err &&
	sqlite3 r.db .dump >after && test_cmp before after &&
	python3 "$SRC/tests/t/t0320/hostile.py" materials 0 |
		sed "s/150302198705124184/15030219850315609X/" >same.xml &&
	test_expect_code 1 reg-apply --db r.db --now $NOW same.xml 2>err &&
	grep -q "^reg-apply: same.xml:[0-9]*: /dossier/enterprise/shareholders/shareholder/citizen-id: shareholders 1 and 2 have the same citizen id" err &&
	row "legal_rep_name=阿卜杜热合曼·买买提明" >uyghur.csv &&
	reg-apply --db r.db --now $NOW uyghur.csv >out.xml &&
	grep -q "<name>阿卜杜热合曼·买买提明</name>" out.xml
'

test_expect_success 'material files: no hard link, no link on the way, no FIFO, no empty name' '
	mkdir app && cp -r "$FIXTURES/materials" app/ && echo secret >secret.txt &&
	ln secret.txt app/hard.txt &&
	ln -s materials/hengtai app/ln &&
	mkfifo app/fifo &&
	row "materials=application-form=hard.txt;articles=fifo;shareholder-id=;legal-rep-id=ln/legal-rep-id.txt;name-declaration;premises-proof;appointment;agent-authority" >app/files.csv &&
	test_new_registry r.db && sqlite3 r.db .dump >before &&
	test_expect_code 1 timeout 20 reg-apply --db r.db --now $NOW app/files.csv 2>err &&
	cat >expect <<-\EOT &&
	reg-apply: app/files.csv:2: materials: file '"'"'hard.txt'"'"' has 2 hard links: only a file of its own is hashed (copy it into the input'"'"'s folder)
	reg-apply: app/files.csv:2: materials: file '"'"'fifo'"'"' is not a regular file
	reg-apply: app/files.csv:2: materials: an empty file name (a material sighted at the window is given by its type alone)
	reg-apply: app/files.csv:2: materials: file '"'"'ln/legal-rep-id.txt'"'"': '"'"'ln'"'"' is a symbolic link (links are not followed: one could lead outside the input'"'"'s folder)
	reg-apply: 1 of 1 applications rejected
	EOT
	test_cmp expect err &&
	sqlite3 r.db .dump >after && test_cmp before after &&
	ln -s hengtai/articles.txt app/materials/last.txt &&
	python3 "$SRC/tests/t/t0320/hostile.py" materials 0 |
		sed -e "s|href=\"materials/hengtai/articles.txt\"|href=\"materials/last.txt\"|" \
		    -e "s|href=\"materials/hengtai/appointment.txt\"|href=\"\"|" >app/files.xml &&
	test_expect_code 1 reg-apply --db r.db --now $NOW app/files.xml 2>err &&
	grep -q "^reg-apply: app/files.xml:[0-9]*: /dossier/materials/material: file .materials/last.txt.: .last.txt. is a symbolic link" err &&
	grep -q "^reg-apply: app/files.xml:[0-9]*: /dossier/materials/material: an empty file name" err &&
	test "$(wc -l <err)" = 3 &&
	sqlite3 r.db .dump >after && test_cmp before after
'

test_expect_success 'a name is taken once per authority: the same dossier is handed back, another refused' '
	reg-apply --db r.db --now $NOW "$FIXTURES/apps.csv" >/dev/null &&
	reg-apply --db r.db --now $NOW "$FIXTURES/apps.xml" >out.xml 2>err &&
	test "$(grep -c "the same dossier, written again$" err)" = 20 &&
	test "$(grep -c "<dossier " out.xml)" = 20 &&
	sed "0,/<capital>1000000.00</s||<capital>2000000.00<|" "$FIXTURES/apps.xml" >other.xml &&
	! cmp -s "$FIXTURES/apps.xml" other.xml &&
	cp -r "$FIXTURES/materials" . &&
	test_expect_code 1 reg-apply --db r.db --now $NOW other.xml >out.xml 2>err &&
	test "$(grep -c "is already registered under 乌海市海勃湾区市场监督管理局" err)" = 1 &&
	test "$(grep -c "the same dossier, written again$" err)" = 19 &&
	test "$(test_rows r.db dossiers)" = 20
'

test_expect_success 'a single dossier in, a single dossier out' '
	sed -n "/<dossier>/,/<\/dossier>/p" "$FIXTURES/apps.xml" | sed -n "1,/<\/dossier>/p" >one.body &&
	{ echo "<?xml version=\"1.0\"?>"; sed "1s|<dossier>|<dossier xmlns=\"urn:regkit:dossier:1\">|" one.body; } >one.xml &&
	cp -r "$FIXTURES/materials" . &&
	reg-apply --db r.db --now $NOW one.xml >out.xml &&
	grep -q "^<dossier " out.xml && ! grep -q "<batch" out.xml
'

test_expect_success 'usage, missing input and broken catalog exit codes' '
	test_expect_code 64 reg-apply --no-such-option 2>err &&
	grep -q "^reg-apply: unknown option" err &&
	test_expect_code 64 reg-apply --encoding latin1 x.csv 2>/dev/null &&
	test_expect_code 66 reg-apply --db r.db --now $NOW no-such.csv 2>err &&
	grep -q "^reg-apply: no-such.csv: cannot open" err &&
	echo "<catalog/>" >bad-catalog.xml &&
	test_expect_code 78 reg-apply --db r.db --catalog bad-catalog.xml "$FIXTURES/apps.csv" 2>/dev/null &&
	reg-apply --help | grep -q "^usage: reg-apply" &&
	reg-apply --version | grep -q "^reg-apply (regkit) "
'

test_expect_success 'a CSV that is not a batch at all is exit 65 and changes nothing' '
	printf "just,some\nwords,here\n" >junk.csv &&
	test_expect_code 65 reg-apply --db r.db --now $NOW junk.csv 2>err &&
	grep -q "junk.csv:1: just: unknown column" err &&
	test "$(test_rows r.db dossiers)" = 0
'

test_expect_success 'hostile XML is refused cleanly, nothing recorded' '
	for f in "$SRC"/tests/hostile/xml/*.xml; do
		reg-apply --db r.db --now $NOW "$f" >/dev/null 2>err; code=$?
		test $code -ge 1 && test $code -le 125 || { echo "$f: exit $code"; exit 1; }
	done &&
	test "$(test_rows r.db dossiers)" = 0
'

test_expect_success 'an empty trailing header column (as spreadsheets write) is ignored' '
	sed "1s/\r\?\$/,/; 2,\$s/\r\?\$/,/" "$FIXTURES/apps.csv" >wide.csv &&
	cp -r "$FIXTURES/materials" . &&
	reg-apply --db r.db --now $NOW wide.csv >out.xml &&
	test "$(grep -c "<dossier " out.xml)" = 20
'

test_expect_success '--rejects keeps the header shape when the first rejected row is short' '
	head -1 "$FIXTURES/bad/bad-form.csv" >short.csv &&
	echo "乌海市短行商贸有限公司,llc" >>short.csv &&
	tail -n +2 "$FIXTURES/bad/bad-form.csv" >>short.csv &&
	test_expect_code 1 reg-apply --db r.db --now $NOW --rejects rej.csv short.csv >/dev/null 2>&1 &&
	python3 -c "import csv,sys; rows=list(csv.reader(open(\"rej.csv\", encoding=\"utf-8-sig\"))); sys.exit(0 if len(rows)==3 and len({len(r) for r in rows})==1 and rows[0][-2:]==[\"line\",\"reason\"] else 1)"
'

form_answers() {
	printf '%s\n' llc 150302 乌海市恒泰商贸有限公司 1000000 乌海市海勃湾区新华大街18号 \
		日用百货销售 F5211 张伟 150302198503156090 15030219850315609X 13904731234 \
		张伟 '' 60 李娜 150302198705124184 40 '' 李娜 150302198705124184 12 0473-3921234 \
		application-form= articles= shareholder-id= legal-rep-id= name-declaration= \
		premises-proof= appointment= agent-authority= '' '' '' y
}

test_expect_success '-i: the form driven by piped answers re-asks a wrong citizen id' '
	form_answers >answers &&
	reg-apply -i --db r.db --now $NOW <answers >out.xml 2>transcript &&
	grep -q "^  legal_rep_id: check character should be X$" transcript &&
	test "$(grep -c "legal_rep_id: 15030219850315609X" transcript)" -ge 1 &&
	grep -q "^<dossier " out.xml &&
	grep -q "number=\"150302-20261123-000001\"" out.xml &&
	xmllint --noout --schema "$SRC/schemas/dossier.xsd" out.xml &&
	test "$(test_rows r.db dossiers)" = 1
'

test_expect_success '-i: a legal representative called =1+1 is asked again' '
	form_answers | sed "8s/^张伟$/=1+1\n张伟/" >answers &&
	test "$(sed -n 8p answers)" = "=1+1" &&
	reg-apply -i --db r.db --now $NOW <answers >out.xml 2>transcript &&
	grep -q "^  legal_rep_name: character .=. (U+003D) not allowed in a person.s name$" transcript &&
	grep -q "^  legal_rep_name: digit .1. not allowed in a person.s name$" transcript &&
	grep -q "<name>张伟</name>" out.xml
'

test_expect_success '-i: end of input records nothing and keeps the answers in the draft' '
	form_answers | head -12 >answers &&
	test_expect_code 1 reg-apply -i --db r.db --now $NOW <answers >out.xml 2>transcript &&
	grep -q "^reg-apply: interrupted: nothing recorded; reg-apply -i resumes from $XDG_STATE_HOME/regkit/draft$" transcript &&
	test ! -s out.xml &&
	test "$(test_rows r.db dossiers)" = 0 &&
	grep -qx "legal_rep_id=15030219850315609X" "$XDG_STATE_HOME/regkit/draft"
'

test_expect_success '-i: abandon after the summary records nothing and leaves no draft' '
	form_answers | sed "\$s/^y$/n\nabandon/" >answers &&
	test_expect_code 1 reg-apply -i --db r.db --now $NOW <answers >out.xml 2>transcript &&
	grep -q "^reg-apply: abandoned: nothing recorded$" transcript &&
	test ! -s out.xml &&
	test ! -e "$XDG_STATE_HOME/regkit/draft"
'

test_done
