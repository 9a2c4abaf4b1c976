#!/bin/bash
# t0610 — reg-verify ARCHIVE…: what an auditor checking issued archives relies on.
#
# Archives come from lib-archive.sh (the real reg-apply, libreg's own archive writer through
# tests/mkarchive, the shipped test key); the last tests take them from the real pipeline
# reg-apply | reg-approve | reg-merge | reg-issue when those tools are built.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-archive.sh"

A=a/out/$USCC.tar.gz
HOSTILE=$SRC/tests/hostile/archives

# repack DIR OUT — what a forger with stock tools does: bsdtar, its own metadata, gzip.
repack() {
	(cd "$1" && bsdtar -czf "$OLDPWD/$2" "$USCC")
}

# remanifest DIR — rewrite DIR/$USCC/MANIFEST with sha256sum, as docs/formats.md defines it.
remanifest() {
	(cd "$1/$USCC" && find . -type f ! -name MANIFEST ! -name MANIFEST.sig | sed "s|^\./||" |
		LC_ALL=C sort | xargs sha256sum >MANIFEST)
}

test_expect_success 'a genuine archive is ok: path, ok, the TEST authority named; exit 0' '
	pipeline a &&
	printf "%s\tok\t%s\n" $A "$TESTNOTE" >expect &&
	reg-verify $A >out &&
	test_cmp expect out &&
	reg-verify --key "$PUB" $A >out &&
	test_cmp expect out
'

test_expect_success 'stock tools agree: sha256sum -c and openssl check what reg-verify checks' '
	pipeline a &&
	mkdir x && bsdtar -xzf $A -C x &&
	(cd x/$USCC && sha256sum -c --quiet --strict MANIFEST) &&
	openssl pkeyutl -verify -pubin -inkey "$PUB" -rawin -in x/$USCC/MANIFEST \
		-sigfile x/$USCC/MANIFEST.sig
'

test_expect_success 'one byte of license.xml changed and repacked with tar: the entry is named' '
	pipeline a &&
	mkdir x && bsdtar -xzf $A -C x &&
	sed -i "s|<capital currency=\"CNY\">1|<capital currency=\"CNY\">2|" x/$USCC/license.xml &&
	repack x forged.tar.gz &&
	test_expect_code 1 reg-verify forged.tar.gz >out &&
	test "$(wc -l <out)" = 1 &&
	test "$(cut -f1,2 out)" = "forged.tar.gz	invalid" &&
	cut -f3 out >reasons &&
	echo "'\''license.xml'\'' does not match its MANIFEST digest" >expect &&
	test_cmp expect reasons
'

test_expect_success 'MANIFEST rewritten to match: the signature check fails' '
	pipeline a &&
	mkdir x && bsdtar -xzf $A -C x &&
	sed -i "s|<capital currency=\"CNY\">1|<capital currency=\"CNY\">2|" x/$USCC/license.xml &&
	remanifest x &&
	(cd x/$USCC && sha256sum -c --quiet --strict MANIFEST) &&
	repack x forged.tar.gz &&
	test_expect_code 1 reg-verify forged.tar.gz >out &&
	cut -f3 out >reasons &&
	echo "MANIFEST.sig is not the authority'\''s signature of MANIFEST" >expect &&
	test_cmp expect reasons &&
	test_must_fail openssl pkeyutl -verify -pubin -inkey "$PUB" -rawin -in x/$USCC/MANIFEST \
		-sigfile x/$USCC/MANIFEST.sig
'

test_expect_success 'repacked without any change: still genuine (the signature covers content)' '
	pipeline a &&
	mkdir x && bsdtar -xzf $A -C x && repack x same.tar.gz &&
	! cmp -s $A same.tar.gz &&
	reg-verify same.tar.gz >out &&
	grep -q "	ok	$TESTNOTE$" out
'

test_expect_success 'an entry missing from or extra to MANIFEST is named' '
	pipeline a &&
	mkdir x && bsdtar -xzf $A -C x &&
	echo extra >x/$USCC/extra.txt && repack x extra.tar.gz &&
	test_expect_code 1 reg-verify extra.tar.gz >out &&
	grep -q "'\''extra.txt'\'' is not in MANIFEST" out &&
	rm x/$USCC/extra.txt x/$USCC/license.svg && repack x missing.tar.gz &&
	test_expect_code 1 reg-verify missing.tar.gz >out &&
	grep -q "'\''license.svg'\'' is not in the archive" out &&
	grep -q "no license.svg" out
'

test_expect_success 'another key: not the authority'\''s signature' '
	pipeline a &&
	openssl genpkey -algorithm ed25519 -out other.key 2>/dev/null &&
	openssl pkey -in other.key -pubout -out other.pub &&
	test_expect_code 1 reg-verify --key other.pub $A >out &&
	grep -q "MANIFEST.sig is not the authority'\''s signature" out &&
	test_expect_code 78 reg-verify --key nonexistent.pub $A 2>err &&
	grep -q "nonexistent.pub" err
'

test_expect_success 'a genuinely signed archive still needs its twenty records and five seals' '
	pipeline a &&
	rm a/tree/registrations/10-recycling.xml a/tree/seals/03-invoice.svg &&
	echo "<registration xmlns=\"urn:regkit:archive:1\"/>" >a/tree/registrations/21-extra.xml &&
	pack a/tree short.tar.gz &&
	test_expect_code 1 reg-verify short.tar.gz >out &&
	cut -f3 out | tr ";" "\n" | sed "s/^ //" >reasons &&
	cat >expect <<-\EOF &&
	no registrations/10-recycling.xml
	registrations/21-extra.xml is not a registration record of the catalog
	no seals/03-invoice.svg
	EOF
	test_cmp expect reasons
'

test_expect_success 'the USCC: the top directory, license.xml, the filing and the dossier agree' '
	pipeline a &&
	"$MKARCHIVE" "$KEY" 914403001922038216 $MTIME a/tree other.tar.gz &&
	test_expect_code 1 reg-verify other.tar.gz >out &&
	grep -q "license.xml:3: /license/uscc: USCC '\''$USCC'\'' is not the archive'\''s '\''914403001922038216'\''" out &&
	grep -q "seals/filing.xml:3: /seal-filing/enterprise/@uscc: USCC" out &&
	grep -q "dossier.xml:[0-9]*: /dossier/issuance/@uscc: USCC" out &&
	"$MKARCHIVE" "$KEY" 91150302MA0000015X $MTIME a/tree bad.tar.gz &&
	test_expect_code 1 reg-verify bad.tar.gz >out &&
	grep -q "top directory '\''91150302MA0000015X'\'' is not a valid USCC: check character should be Y" out
'

test_expect_success 'signed by the authority, still refused: a file beside the top directory, a record of another name' '
	pipeline a &&
	mkdir x && bsdtar -xzf $A -C x && echo "本执照已被吊销" >x/README &&
	(cd x && bsdtar -czf ../top.tar.gz README $USCC) &&
	test_expect_code 1 reg-verify top.tar.gz >out &&
	grep -q "^top.tar.gz	invalid	.*entry .README.: file outside a top directory" out &&
	sed -i "s|<name>[^<]*</name>|<name>乌海市别的公司有限公司</name>|" \
		a/tree/registrations/03-tax-registration.xml &&
	pack a/tree name.tar.gz &&
	test_expect_code 1 reg-verify name.tar.gz >out &&
	grep -q "^name.tar.gz	invalid	registrations/03-tax-registration.xml: /registration/name: name .* is not the archive.s " out &&
	sed -i "s|<uscc>$USCC</uscc>|<uscc>914403001922038216</uscc>|" \
		a/tree/registrations/05-statistics.xml &&
	pack a/tree uscc.tar.gz &&
	test_expect_code 1 reg-verify uscc.tar.gz >out &&
	grep -q "registrations/05-statistics.xml: /registration/uscc: USCC .914403001922038216. is not the archive.s .$USCC." out
'

test_expect_success 'every identifier in license.xml and the filing must be valid' '
	pipeline a &&
	sed -i "s|</legal-representative>|</legal-representative><citizen-id>15030219850315609Y</citizen-id>|" \
		a/tree/license.xml &&
	sed -i "s|code=\"1503020000003\"|code=\"150302000003\"|" a/tree/seals/filing.xml &&
	pack a/tree ids.tar.gz &&
	test_expect_code 1 reg-verify ids.tar.gz >out &&
	grep -q "license.xml:[0-9]*: /license/citizen-id: invalid citizen id '\''15030219850315609Y'\'': " out &&
	grep -q "seals/filing.xml:[0-9]*: /seal-filing/seals/seal/@code: invalid seal code '\''150302000003'\'': not 13 digits" out
'

test_expect_success 'the filing names one seal per type, no code twice' '
	pipeline a &&
	sed -i "s|code=\"1503020000002\"|code=\"1503020000001\"|" a/tree/seals/filing.xml &&
	sed -i "s|type=\"05\"|type=\"04\"|" a/tree/seals/filing.xml &&
	pack a/tree seals.tar.gz &&
	test_expect_code 1 reg-verify seals.tar.gz >out &&
	grep -q "2 seals of type 04 (contract) filed" out &&
	grep -q "no seal of type 05 (legal-rep) filed" out &&
	grep -q "seal code '\''1503020000001'\'' filed twice" out
'

test_expect_success 'not well-formed XML inside a genuine archive is named with its line' '
	pipeline a &&
	printf "<registration xmlns=\"urn:regkit:archive:1\">\n<oops>\n</registration>\n" \
		>a/tree/registrations/05-statistics.xml &&
	pack a/tree broken.tar.gz &&
	test_expect_code 1 reg-verify broken.tar.gz >out &&
	grep -q "registrations/05-statistics.xml:3: not well-formed" out
'

# A registry that issued the archive: the real reg-apply's dossier, the issuance and seals
# recorded as reg-issue records them.
registry_of() {
	local db=$1 sum=$2
	sqlite3 "$db" "INSERT INTO issuances VALUES ('150302-20261123-000001', '$USCC', $MTIME, 'out/$USCC.tar.gz', '$sum');" &&
	for n in 1 2 3 4 5; do
		sqlite3 "$db" "INSERT INTO seals VALUES ('150302000000$n', '$USCC', '0$n', $MTIME);" || return 1
	done
}

test_expect_success '--db: the registry agrees (issued, same digest, same seals)' '
	pipeline a &&
	registry_of a/r.db "$(sha256sum $A | cut -d" " -f1)" &&
	printf "%s\tok\t%s\n" $A "$TESTNOTE" >expect &&
	reg-verify --db a/r.db $A >out &&
	test_cmp expect out &&
	REG_DB=a/r.db reg-verify $A >out &&
	test_cmp expect out
'

test_expect_success '--db: another digest, an unknown USCC, seals filed otherwise' '
	pipeline a &&
	registry_of a/r.db 0000000000000000000000000000000000000000000000000000000000000000 &&
	sqlite3 a/r.db "UPDATE seals SET type = '\''06'\'' WHERE code = '\''1503020000005'\''" &&
	sqlite3 a/r.db "DELETE FROM seals WHERE code = '\''1503020000004'\''" &&
	test_expect_code 1 reg-verify --db a/r.db $A >out &&
	grep -q "archive sha-256 [0-9a-f]* is not the 0000000000000000000000000000000000000000000000000000000000000000 recorded at issuance (the tar inside is canonical: recompressed)" out &&
	grep -q "seals/filing.xml: seal code '\''1503020000004'\'' is not filed in the registry" out &&
	grep -q "seal code '\''1503020000005'\'' is filed as type '\''06'\'', not 05" out &&
	pipeline b &&
	test_expect_code 1 reg-verify --db b/r.db $A >out &&
	grep -q "USCC '\''$USCC'\'' was not issued by this registry" out &&
	test_expect_code 66 reg-verify --db nonexistent.db $A 2>err
'

test_expect_success 'several archives: one line each, delayed exit; a missing one is 66' '
	pipeline a &&
	cp $A good.tar.gz &&
	test_expect_code 1 reg-verify good.tar.gz "$HOSTILE/symlink.tar.gz" good.tar.gz >out &&
	test "$(cut -f2 out | tr "\n" " ")" = "ok invalid ok " &&
	test_expect_code 66 reg-verify good.tar.gz missing.tar.gz good.tar.gz >out 2>err &&
	test "$(wc -l <out)" = 2 &&
	grep -q "missing.tar.gz: cannot open" err &&
	reg-verify - <good.tar.gz >out &&
	printf -- "-\tok\t%s\n" "$TESTNOTE" >expect && test_cmp expect out
'

test_expect_success 'usage: --explain and --key do not mix with the other mode' '
	pipeline a &&
	test_expect_code 64 reg-verify --explain $A 2>err &&
	test_expect_code 64 reg-verify --uscc --key "$PUB" $USCC 2>err &&
	test_expect_code 64 reg-verify 2>err && grep -q "ARCHIVE" err
'

# Every hostile archive: refused with the entry named in its line, exit 1, nothing written.
test_expect_success 'every hostile archive is refused cleanly, nothing written to disk' '
	mkdir -p x/work && cd x/work &&
	n=0 &&
	while IFS="	" read -r name want; do
		case $name in "#"*|"") continue ;; esac
		n=$((n + 1)) &&
		test_expect_code 1 reg-verify "$HOSTILE/$name" >../out 2>../err &&
		test_cmp /dev/null ../err &&
		test "$(wc -l <../out)" = 1 &&
		test "$(cut -f1,2 ../out)" = "$HOSTILE/$name	invalid" &&
		cut -f3 ../out | grep -qF -- "$want" ||
		{ echo "not refused as expected: $name"; cat ../out ../err; exit 1; }
	done <"$HOSTILE/EXPECT" &&
	test $n -eq "$(ls "$HOSTILE"/*.tar.gz | wc -l)" &&
	test_expect_code 1 reg-verify "$HOSTILE"/*.tar.gz >../all &&
	test "$(cut -f2 ../all | sort -u)" = invalid &&
	test "$(wc -l <../all)" = $n &&
	test -z "$(ls -A .)" &&
	test "$(ls -A ..)" = "$(printf "all\nerr\nout\nwork")" &&
	! test -e /tmp/regkit-hostile-absolute &&
	! test -e ../../regkit-hostile-dotdot && ! test -e ../../regkit-hostile-pax
'

# The same through the real tools, once reg-approve, reg-merge and reg-issue are built.
if command -v reg-issue >/dev/null && command -v reg-approve >/dev/null &&
	command -v reg-merge >/dev/null; then
test_expect_success 'real pipeline: issued archives verify against their registry' '
	first_application &&
	export SOURCE_DATE_EPOCH=$MTIME &&
	reg-apply --db r.db app.csv | reg-approve --all --db r.db | reg-merge --db r.db |
		reg-issue --db r.db -o archives >issued.tsv &&
	test "$(wc -l <issued.tsv)" = 1 &&
	path=$(cut -f2 issued.tsv) &&
	printf "%s\tok\t%s\n" "$path" "$TESTNOTE" >expect &&
	reg-verify --db r.db "$path" >out &&
	test_cmp expect out &&
	uscc=$(cut -f1 issued.tsv) &&
	mkdir x && bsdtar -xzf "$path" -C x &&
	sed -i "s|\(<capital [^>]*>\)1|\12|" x/$uscc/license.xml &&
	(cd x && bsdtar -czf ../forged.tar.gz $uscc) &&
	test_expect_code 1 reg-verify --db r.db forged.tar.gz >out &&
	grep -q "'\''license.xml'\'' does not match its MANIFEST digest" out &&
	grep -q "the archive was repacked or altered" out &&
	(cd x/$uscc && find . -type f ! -name MANIFEST ! -name MANIFEST.sig | sed "s|^\./||" |
		LC_ALL=C sort | xargs sha256sum >MANIFEST) &&
	(cd x && bsdtar -czf ../forged2.tar.gz $uscc) &&
	test_expect_code 1 reg-verify forged2.tar.gz >out &&
	test "$(cut -f3 out)" = "MANIFEST.sig is not the authority'\''s signature of MANIFEST"
'
else
	test_count=$((test_count + 1))
	echo "ok $test_count - real pipeline # SKIP reg-approve, reg-merge or reg-issue not built"
fi

test_done
