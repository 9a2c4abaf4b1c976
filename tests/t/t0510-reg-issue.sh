#!/bin/bash
# reg-issue: one signed, reproducible archive per approved enterprise (issue 5).
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1795395600   # 2026-11-23T09:00:00+08:00
PUB=$FIXTURES/authority/authority.pub

# approved DB INPUT >merged.xml: the window and every department, as a clerk runs them.
approved() {
	reg-apply --db "$1" "$2" | reg-approve --all --db "$1" | reg-merge --db "$1"
}

test_expect_success 'the pipeline leaves one complete, verifiable archive per approved application' '
	approved r.db "$FIXTURES/apps.csv" >merged.xml &&
	n=$(grep -c "<dossier [^>]*state=\"approved\"" merged.xml) && test "$n" -gt 0 &&
	reg-issue --db r.db -o out merged.xml >issued.tsv &&
	test "$(wc -l <issued.tsv)" = "$n" &&
	test "$(ls out | wc -l)" = "$n" &&
	while IFS="	" read -r uscc path sum; do
		test "$path" = "out/$uscc.tar.gz" &&
		test "$(sha256sum "$path" | cut -d" " -f1)" = "$sum" &&
		bsdtar -tzf "$path" >list &&
		test "$(grep -c "^$uscc/registrations/[0-9][0-9]-.*\.xml$" list)" = 20 &&
		test "$(grep -c "^$uscc/seals/0[1-5]-.*\.svg$" list)" = 5 &&
		for f in seals/filing.xml license.xml license.svg dossier.xml MANIFEST MANIFEST.sig; do
			grep -qx "$uscc/$f" list || { echo "$uscc: no $f"; exit 1; }
		done &&
		rm -rf x && mkdir x && bsdtar -xzf "$path" -C x &&
		(cd "x/$uscc" && sha256sum -c --quiet --strict MANIFEST) &&
		openssl pkeyutl -verify -pubin -inkey "$PUB" -rawin -in "x/$uscc/MANIFEST" \
			-sigfile "x/$uscc/MANIFEST.sig" >/dev/null || exit 1
	done <issued.tsv
'

test_expect_success 'the registry is 0600 and the archives 0644, whatever the umask' '
	(umask 000 && approved r.db "$FIXTURES/apps.csv" >merged.xml) &&
	test "$(stat -c %a r.db)" = 600 &&
	(umask 077 && reg-issue --db r.db -o out merged.xml >issued.tsv) &&
	for a in out/*.tar.gz; do test "$(stat -c %a "$a")" = 644 || { echo "$a"; return 1; }; done &&
	test -s issued.tsv
'

test_expect_success 'a registry that does not exist is an error, and none is created' '
	approved r.db "$FIXTURES/apps.csv" >merged.xml &&
	test_expect_code 66 reg-issue --db typo.db -o out2 merged.xml >issued.tsv 2>err &&
	grep -q "^reg-issue: typo.db: registry does not exist (reg-apply creates it at the first acceptance)$" err &&
	test ! -e typo.db &&
	! test -s issued.tsv &&
	test -z "$(ls -A out2)"
'

test_expect_success 'every USCC is valid and starts with 91 and the authority division' '
	approved r.db "$FIXTURES/apps.csv" | reg-issue --db r.db -o out >issued.tsv &&
	cut -f1 issued.tsv >codes &&
	reg-verify --uscc <codes >verdicts &&
	! grep -v "	ok	" verdicts &&
	! grep -v "^91150302" codes &&
	test "$(sort -u codes | wc -l)" = "$(wc -l <codes)"
'

test_expect_success 'the license names the approved items filed and the rest not applicable' '
	approved r.db "$FIXTURES/apps.csv" | reg-issue --db r.db -o out >issued.tsv &&
	uscc=$(head -1 issued.tsv | cut -f1) &&
	bsdtar -xOzf "out/$uscc.tar.gz" "$uscc/license.xml" >license.xml &&
	grep -q "<uscc>$uscc</uscc>" license.xml &&
	grep -q "id=\"business-license\" dept=\"amr\" status=\"filed\"" license.xml &&
	grep -q "id=\"travel-outlet\" dept=\"tourism\" status=\"not-applicable\"" license.xml &&
	bsdtar -xOzf "out/$uscc.tar.gz" "$uscc/dossier.xml" >dossier.xml &&
	grep -q "state=\"issued\"" dossier.xml &&
	grep -q "<issuance uscc=\"$uscc\" time=\"2026-11-23T09:00:00+08:00\" authority=\"150302\"/>" dossier.xml
'

test_expect_success 'a rejected recycling filing refuses only itself: the license is issued, that record refused' '
	cp -r "$FIXTURES/materials" . && sed -n "1p;3p" "$FIXTURES/apps.csv" >lvyuan.csv &&
	reg-apply --db r.db lvyuan.csv >accepted.xml &&
	reg-approve --db r.db --all accepted.xml >approved.xml 2>/dev/null &&
	reg-approve --db r.db --now 2026-11-23T11:00:00+08:00 --dept commerce \
		--dossier 150302-20261123-000001 --item recycling --verdict rejected \
		--reason "回收场地与申报不符" --reviewer 李明 approved.xml >clerk.xml 2>/dev/null &&
	reg-merge --db r.db --now 2026-11-23T11:00:00+08:00 clerk.xml >merged.xml &&
	grep -q "state=\"approved\"" merged.xml &&
	reg-issue --db r.db --now 2026-11-23T11:00:00+08:00 -o out merged.xml >issued.tsv 2>/dev/null &&
	uscc=$(cut -f1 issued.tsv) &&
	bsdtar -xOzf "out/$uscc.tar.gz" "$uscc/license.xml" >license.xml &&
	grep -q "id=\"recycling\" dept=\"commerce\" status=\"refused\"" license.xml &&
	grep -q "id=\"tax-registration\" dept=\"tax\" status=\"filed\"" license.xml &&
	bsdtar -xOzf "out/$uscc.tar.gz" "$uscc/registrations/10-recycling.xml" >record.xml &&
	grep -q "status=\"refused\"" record.xml &&
	grep -q "<refusal reviewer=\"李明\" time=\"2026-11-23T11:00:00+08:00\">" record.xml &&
	grep -q "<reason>回收场地与申报不符</reason>" record.xml &&
	reg-verify --db r.db "out/$uscc.tar.gz" | grep -q "	ok	"
'

test_expect_success 'reg-issue -j 1 and -j 2 write the same archives, lines and records' '
	for j in 1 2; do
		mkdir j$j && (cd j$j && cp -r "$FIXTURES/materials" . &&
			approved r.db "$FIXTURES/apps.csv" 2>/dev/null >merged.xml &&
			reg-issue --db r.db -j $j -o out merged.xml >issued.tsv 2>/dev/null) || return 1
	done &&
	test "$(wc -l <j1/issued.tsv)" = 20 &&
	test_cmp j1/issued.tsv j2/issued.tsv &&
	(cd j1/out && sha256sum -- *) >one && (cd j2/out && sha256sum -- *) >two &&
	test_cmp one two &&
	sqlite3 j1/r.db "select uscc, number, sha256 from archives order by uscc" >one &&
	sqlite3 j2/r.db "select uscc, number, sha256 from archives order by uscc" >two &&
	test_cmp one two &&
	test_expect_code 64 reg-issue -j 0 -o out merged.xml 2>err &&
	grep -q "^reg-issue: -j needs a number of threads from 1 to 64" err
'

test_expect_success 'the printed license: capital in Chinese numerals, the authority stamp over the date' '
	approved r.db "$FIXTURES/apps.csv" | reg-issue --db r.db -o out >issued.tsv &&
	uscc=$(head -1 issued.tsv | cut -f1) &&
	bsdtar -xOzf "out/$uscc.tar.gz" "$uscc/license.svg" >license.svg &&
	xmllint --noout license.svg &&
	grep -q ">人民币壹佰万元整</text>" license.svg &&
	grep -q ">法定代表人</text>" license.svg &&
	grep -o "<svg [^>]*class=\"stamp\"[^>]*>" license.svg >stamp &&
	for a in "x=\"205\"" "y=\"160\"" "width=\"40\"" "height=\"40\"" "viewBox=\"0 0 40 40\""; do
		grep -qF "$a" stamp || { echo "stamp: no $a"; exit 1; }
	done &&
	grep -q "<title>乌海市海勃湾区市场监督管理局 公章 登记机关</title>" license.svg &&
	grep -q "class=\"star\"" license.svg &&
	! grep -q "class=\"code\"\|class=\"specimen\"" license.svg
'

test_expect_success 'two runs on fresh registries give byte-identical archives, whatever TZ and locale' '
	approved a.db "$FIXTURES/apps.csv" | TZ=Asia/Kathmandu reg-issue --db a.db -o a >a.tsv &&
	approved b.db "$FIXTURES/apps.csv" | TZ=America/St_Johns LC_ALL=C reg-issue --db b.db -o b >b.tsv &&
	test_cmp a.tsv <(sed "s|	b/|	a/|" b.tsv) &&
	for f in a/*.tar.gz; do cmp "$f" "b/${f#a/}" || exit 1; done
'

test_expect_success 're-issuing gives the same USCC and bytes and burns nothing' '
	approved r.db "$FIXTURES/apps.csv" >merged.xml &&
	reg-issue --db r.db -o out merged.xml >first.tsv &&
	before=$(sqlite3 r.db "select group_concat(name || \"=\" || value) from serials order by name") &&
	reg-issue --db r.db -o out merged.xml >second.tsv &&
	test_cmp first.tsv second.tsv &&
	test "$(sqlite3 r.db "select group_concat(name || \"=\" || value) from serials order by name")" = "$before"
'

test_expect_success 'a dossier that is not approved is reported and the others are issued' '
	reg-apply --db r.db "$FIXTURES/apps.csv" >accepted.xml &&
	test_expect_code 1 reg-issue --db r.db -o out accepted.xml >issued.tsv 2>err &&
	test ! -s issued.tsv &&
	grep -q "^reg-issue: .*accepted.xml:[0-9]*: /dossier/@state: dossier 150302-20261123-000001 is accepted in the registry, not approved: not issued$" err &&
	test "$(test_rows r.db issuances)" = 0
'

test_expect_success 'a dossier changed after acceptance is refused' '
	approved r.db "$FIXTURES/apps.csv" >merged.xml &&
	sed "0,/<capital>1000000.00</s//<capital>2000000.00</" merged.xml >changed.xml &&
	test_expect_code 1 reg-issue --db r.db -o out changed.xml >issued.tsv 2>err &&
	grep -q "differs from the body the registry holds" err &&
	test "$(wc -l <issued.tsv)" -gt 0
'

test_expect_success 'an output that cannot be created is exit 73 and records nothing' '
	approved r.db "$FIXTURES/apps.csv" >merged.xml &&
	: >not-a-dir &&
	test_expect_code 73 reg-issue --db r.db -o not-a-dir merged.xml 2>err &&
	test "$(test_rows r.db issuances)" = 0 &&
	test "$(sqlite3 r.db "select count(*) from serials where name like \"uscc:%\"")" = 0
'

test_expect_success 'two reg-issue processes at once on one registry share no USCC or seal code' '
	python3 "$SRC/bench/gen-apps.py" 200 -o many.csv &&
	approved r.db many.csv >merged.xml &&
	python3 - merged.xml <<-\PY &&
	import sys, re
	text = open(sys.argv[1], encoding="utf-8").read()
	body = re.findall(r"  <dossier .*?\n  </dossier>\n", text, re.S)
	head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<batch xmlns=\"urn:regkit:dossier:1\">\n"
	for i, part in enumerate((body[0::2], body[1::2])):
	    open("half%d.xml" % i, "w", encoding="utf-8").write(head + "".join(part) + "</batch>\n")
	PY
	{ reg-issue --db r.db -o out half0.xml >a.tsv & reg-issue --db r.db -o out half1.xml >b.tsv; wait $!; } &&
	wait &&
	cat a.tsv b.tsv | cut -f1 | sort >codes &&
	test "$(wc -l <codes)" = 200 && test "$(uniq <codes | wc -l)" = 200 &&
	test "$(ls out | wc -l)" = 200 &&
	test "$(sqlite3 r.db "select count(distinct code) from seals")" = 1000
'

test_expect_success 'SIGKILL in the middle of a batch, then a rerun: complete, nothing doubled, nothing partial' '
	python3 "$SRC/bench/gen-apps.py" 150 -o many.csv &&
	approved r.db many.csv >merged.xml || exit 1
	reg-issue --db r.db -o out merged.xml >first.tsv &
	pid=$!
	for i in $(seq 400); do test "$(ls out 2>/dev/null | wc -l)" -ge 20 && break; sleep 0.05; done
	kill -9 $pid
	wait $pid
	test "$(ls out | wc -l)" -lt 150 &&
	reg-issue --db r.db -o out merged.xml >second.tsv &&
	test "$(wc -l <second.tsv)" = 150 &&
	test "$(cut -f1 second.tsv | sort -u | wc -l)" = 150 &&
	test "$(test_rows r.db issuances)" = 150 &&
	test "$(ls -A out | grep -c "\.tmp\.")" = 0 &&
	test "$(ls out | wc -l)" = 150 &&
	sqlite3 r.db "select archive_sha256, archive_path from issuances" | sort >recorded &&
	for f in out/*.tar.gz; do echo "$(sha256sum "$f" | cut -d" " -f1)|$f"; done | sort >actual &&
	test_cmp recorded actual
'

test_expect_success 'usage errors' '
	test_expect_code 64 reg-issue merged.xml 2>err &&
	grep -q "^reg-issue: -o DIR is required" err &&
	reg-issue --help | grep -q "^usage: reg-issue" &&
	reg-issue --version | grep -q "^reg-issue (regkit) "
'

test_done
