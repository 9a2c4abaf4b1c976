#!/bin/bash
# reg-authority: a bureau outside Inner Mongolia (440305 广东省深圳市南山区) sets itself up —
# its authority file and keys, a department's own key made on its host and imported, a key
# rotated — and runs the real pipeline with it.
. "$(dirname "$0")/lib.sh"
T0=2026-01-05T09:00:00+08:00          # the authority is made
IMPORTED=2026-03-02T09:00:00+08:00    # amr's next key is imported
ROTATION=2026-07-01T00:00:00+08:00    # ... and counts from here
JUNE=2026-06-01T09:00:00+08:00
JUNE_REVIEW=2026-06-01T10:00:00+08:00
NOV=2026-11-23T09:00:00+08:00
NOV_REVIEW=2026-11-23T10:00:00+08:00
NANSHAN=$TRASH/nanshan                # made once by the first test; `nanshan` copies it here

nanshan() {
	cp -a "$NANSHAN/bureau" . && test -f bureau/authority.xml
}

# modes FILE… — "mode file" per line, as stat prints them.
modes() {
	stat -c "%a %n" "$@"
}

# The base64 body of every private key below $1, one line each: what must never be printed.
secrets() {
	find "$1" -name "*.key" -exec sed -n "2,\$p" {} \; | grep -v "^-----" | sort -u
}

# The fixture applications $@ (line numbers of fixtures/apps.csv, header first) moved to
# 深圳市南山区: division, address and the division in the name.
nanshan_apps() {
	cp -r "$FIXTURES/materials" . &&
	sed -n "1p$(printf ";%sp" "$@")" "$FIXTURES/apps.csv" |
		sed "s/,150302,乌海市海勃湾区/,440305,深圳市南山区/; s/^乌海市/深圳市/"
}

test_expect_success 'new: the files of an authority for 440305, private keys 0600, none printed' '
	mkdir -p "$NANSHAN" && cd "$NANSHAN" &&
	reg-authority new --division 440305 --supervisor 深圳市南山区人民政府 --now $T0 \
		bureau >out 2>err &&
	test -f bureau/authority.xml && test -f bureau/authority.pub &&
	for d in amr tax hrss stats police commerce drug ciq customs housing tourism; do
		test -f bureau/departments/$d.pub || return 1
	done &&
	modes bureau/authority.key bureau/departments/*.key | grep -v "^600 " >loose;
	test ! -s loose && test "$(ls bureau/departments/*.key | wc -l)" = 11 &&
	modes bureau/authority.xml bureau/authority.pub bureau/departments/*.pub |
		grep -v "^644 " >loose;
	test ! -s loose &&
	secrets bureau >secrets && test "$(wc -l <secrets)" = 12 &&
	! grep -F -f secrets out err bureau/authority.xml &&
	! grep -q "PRIVATE KEY" out err &&
	grep -qx "division	440305	广东省深圳市南山区" out &&
	grep -qx "name	深圳市南山区市场监督管理局" out &&
	grep -qx "area	440305	广东省深圳市南山区" out &&
	grep -qx "test-only	false" out &&
	grep -qx "supervisor	深圳市南山区人民政府" out &&
	grep -qx "calendar	2026	empty" out && grep -qx "calendar	2027	empty" out &&
	grep -q "^key	amr	2026-01-05T09:00:00+08:00		[0-9a-f]\{64\}	bureau/departments/amr.pub	bureau/departments/amr.key$" out &&
	test ! -s err
'

test_expect_success 'new: the fingerprints printed are those of the public keys written' '
	nanshan &&
	reg-authority show --authority bureau/authority.xml >out &&
	fp=$(openssl pkey -pubin -in bureau/authority.pub -outform DER | tail -c 32 | sha256sum | cut -d" " -f1) &&
	grep -qx "signing-key	$fp	bureau/authority.pub	bureau/authority.key" out &&
	fp=$(openssl pkey -pubin -in bureau/departments/tax.pub -outform DER | tail -c 32 | sha256sum | cut -d" " -f1) &&
	grep -q "^key	tax	[^	]*		$fp	" out
'

test_expect_success 'a second new into the same folder refuses and changes nothing' '
	nanshan &&
	find bureau -type f -exec sha256sum {} + | sort >before &&
	ls -la bureau bureau/departments >before.ls &&
	test_expect_code 73 reg-authority new --division 440305 bureau >out 2>err &&
	grep -q "^reg-authority: bureau/authority.key: cannot create: it exists, and 24 more of its files (a new authority never replaces a file)$" err &&
	test ! -s out &&
	find bureau -type f -exec sha256sum {} + | sort >after &&
	ls -la bureau bureau/departments >after.ls &&
	test_cmp before after && test_cmp before.ls after.ls
'

test_expect_success 'one file in the way is enough: nothing else is made' '
	mkdir -p fresh/departments && echo mine >fresh/departments/police.key &&
	test_expect_code 73 reg-authority new --division 440305 fresh 2>err &&
	grep -q "fresh/departments/police.key: cannot create: it exists" err &&
	test "$(find fresh -type f)" = fresh/departments/police.key &&
	test "$(cat fresh/departments/police.key)" = mine
'

test_expect_success 'new refuses an unknown division, area or department, and makes nothing' '
	test_expect_code 64 reg-authority new --division 150399 x 2>err &&
	grep -q "^reg-authority: division: unknown division .150399.$" err &&
	test_expect_code 64 reg-authority new --division 440305 --area 440399 x 2>err &&
	grep -q "unknown division .440399." err &&
	test_expect_code 64 reg-authority new --division 440305 --external taxes x 2>err &&
	grep -q "department .taxes. is not in the catalog" err &&
	test_expect_code 64 reg-authority new --division 440305 &&
	test_expect_code 64 reg-authority new --division 440305 --dept tax x &&
	test ! -e x
'

test_expect_success 'the name and area can be given; a bureau without supervisor is told' '
	reg-authority new --division 440300 --name 深圳市市场监督管理局 --area 440303 \
		--area 440305 --time-zone +08:00 city >out 2>err &&
	grep -qx "name	深圳市市场监督管理局" out &&
	test "$(grep "^area" out)" = "$(printf "area\t440303\t广东省深圳市罗湖区\narea\t440305\t广东省深圳市南山区")" &&
	grep -qx "supervisor	" out &&
	grep -q "^reg-authority: note: city/authority.xml names no <supervisor> yet" err &&
	grep -q "<!-- <supervisor>…</supervisor>: name the body" city/authority.xml
'

test_expect_success 'keygen on a department host: 0600, the public key on stdout, never twice' '
	mkdir tax-host &&
	reg-authority keygen --dept tax -o tax-host/tax.key >tax.pub 2>err &&
	test "$(modes tax-host/tax.key)" = "600 tax-host/tax.key" &&
	test "$(head -1 tax.pub)" = "-----BEGIN PUBLIC KEY-----" && test "$(wc -l <tax.pub)" = 3 &&
	openssl pkey -pubin -in tax.pub -noout &&
	test "$(openssl pkey -in tax-host/tax.key -pubout)" = "$(cat tax.pub)" &&
	secrets tax-host >secrets && ! grep -F -f secrets tax.pub err &&
	grep -q "^reg-authority: tax: private key in tax-host/tax.key (mode 0600" err &&
	cp tax-host/tax.key before &&
	test_expect_code 73 reg-authority keygen --dept tax -o tax-host/tax.key >out 2>err &&
	test ! -s out && cmp before tax-host/tax.key &&
	test_expect_code 64 reg-authority keygen --dept taxes -o other.key 2>err &&
	test ! -e other.key
'

test_expect_success 'a department that brings its own key: keygen on its host, import, sign there' '
	reg-authority new --division 440305 --external tax --now $T0 bureau >/dev/null 2>&1 &&
	test ! -e bureau/departments/tax.key &&
	grep -q "tax (税务局) brings its own key" bureau/authority.xml &&
	mkdir tax-host &&
	reg-authority keygen --dept tax -o tax-host/tax.key >tax.pub 2>/dev/null &&
	reg-authority import --authority bureau/authority.xml --now $T0 --dept tax --from $T0 \
		tax.pub >out &&
	fp=$(openssl pkey -pubin -in tax.pub -outform DER | tail -c 32 | sha256sum | cut -d" " -f1) &&
	printf "key\ttax\t%s\t\t%s\tbureau/departments/tax-%s.pub\t\n" $T0 $fp ${fp:0:12} >expect &&
	test_cmp expect out &&
	! grep -q "brings its own key" bureau/authority.xml &&
	nanshan_apps 2 >apps.csv &&
	reg-apply --authority bureau/authority.xml --db r.db --now $NOV apps.csv >accepted.xml &&
	reg-approve --authority bureau/authority.xml --offline --dept tax --key tax-host/tax.key \
		--now $NOV_REVIEW accepted.xml >tax.xml &&
	grep -q "dept=\"tax\" verdict=\"approved\"" tax.xml &&
	test_expect_code 78 reg-approve --authority bureau/authority.xml --offline --dept tax \
		--key bureau/departments/amr.key --now $NOV_REVIEW accepted.xml >/dev/null 2>err &&
	grep -q "not the private key of department .tax." err
'

test_expect_success 'import: rotation closes the old key at the new one, both listed' '
	nanshan &&
	reg-authority keygen --dept amr -o bureau/departments/amr-2.key >amr-2.pub 2>/dev/null &&
	reg-authority import --authority bureau/authority.xml --now $IMPORTED --dept amr \
		--from $ROTATION --private bureau/departments/amr-2.key amr-2.pub >out &&
	test "$(wc -l <out)" = 2 &&
	grep -q "^key	amr	$T0	$ROTATION	[0-9a-f]*	bureau/departments/amr.pub	bureau/departments/amr.key$" out &&
	grep -q "^key	amr	$ROTATION		[0-9a-f]*	bureau/departments/amr-[0-9a-f]\{12\}.pub	bureau/departments/amr-2.key$" out &&
	grep -q "private=\"departments/amr-2.key\" from=\"$ROTATION\"" bureau/authority.xml &&
	reg-authority show --authority bureau/authority.xml >show &&
	test "$(grep -c "^key	amr	" show)" = 2 && grep -qx "test-only	false" show
'

test_expect_success 'import refuses: a key listed already, a start out of order, not ed25519' '
	nanshan &&
	cp bureau/authority.xml before.xml &&
	test_expect_code 1 reg-authority import --authority bureau/authority.xml --now $T0 \
		--dept amr --from $ROTATION bureau/departments/tax.pub 2>err &&
	grep -q "already listed for department .tax." err &&
	reg-authority keygen --dept amr -o amr-2.key >amr-2.pub 2>/dev/null &&
	test_expect_code 1 reg-authority import --authority bureau/authority.xml --now $T0 \
		--dept amr --from 2025-12-01 amr-2.pub 2>err &&
	grep -q "must start after its current key, which counts from $T0" err &&
	test_expect_code 1 reg-authority import --authority bureau/authority.xml --now $NOV \
		--dept amr --from $ROTATION amr-2.pub 2>err &&
	grep -q "would cut short its current key before now" err &&
	openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 2>/dev/null |
		openssl pkey -pubout >rsa.pub &&
	test_expect_code 78 reg-authority import --authority bureau/authority.xml --now $T0 \
		--dept amr --from $ROTATION rsa.pub 2>err &&
	grep -q "is a RSA key, not ed25519" err &&
	test_expect_code 66 reg-authority import --authority nowhere.xml --now $T0 \
		--dept amr --from $ROTATION amr-2.pub &&
	cmp before.xml bureau/authority.xml &&
	test "$(ls bureau/departments | grep -c "^amr")" = 2
'

test_expect_success 'the pipeline with the new authority: archives verify, old verdicts too' '
	nanshan &&
	A=bureau/authority.xml &&
	nanshan_apps 2 >june.csv && nanshan_apps 3 5 >nov.csv &&
	# June: accepted, and reviewed by every department with the keys of June.
	reg-apply --authority $A --db r.db --now $JUNE june.csv >june.xml &&
	reg-approve --authority $A --offline --all --now $JUNE_REVIEW june.xml >june-reviewed.xml &&
	# amr rotates its key from July on; the old one stays listed until then.
	reg-authority keygen --dept amr -o bureau/departments/amr-2.key >amr-2.pub 2>/dev/null &&
	reg-authority import --authority $A --now $IMPORTED --dept amr --from $ROTATION \
		--private bureau/departments/amr-2.key amr-2.pub >/dev/null &&
	# Recorded in November: the June verdicts, signed by the old key, still count.
	reg-merge --authority $A --db r.db --now $NOV june-reviewed.xml >june-merged.xml &&
	test "$(grep -c "state=\"approved\"" june-merged.xml)" = 1 &&
	reg-apply --authority $A --db r.db --now $NOV nov.csv >nov.xml &&
	reg-approve --authority $A --db r.db --all --now $NOV_REVIEW nov.xml | reg-merge --authority $A --db r.db --now $NOV_REVIEW >nov-merged.xml &&
	test "$(grep -c "state=\"approved\"" nov-merged.xml)" = 2 &&
	reg-issue --authority $A --db r.db --now $NOV_REVIEW -o out june-merged.xml nov-merged.xml >issued.tsv &&
	test "$(wc -l <issued.tsv)" = 3 && ! grep -v "^91440305" issued.tsv &&
	reg-verify --authority $A out/*.tar.gz >verified &&
	test "$(grep -c "	ok	$" verified)" = 3 &&
	while IFS="	" read -r uscc path sum; do
		rm -rf x && mkdir x && bsdtar -xzf "$path" -C x &&
		(cd "x/$uscc" && sha256sum -c --quiet --strict MANIFEST) &&
		openssl pkeyutl -verify -pubin -inkey bureau/authority.pub -rawin \
			-in "x/$uscc/MANIFEST" -sigfile "x/$uscc/MANIFEST.sig" >/dev/null &&
		! openssl pkeyutl -verify -pubin -inkey "$FIXTURES/authority/authority.pub" -rawin \
			-in "x/$uscc/MANIFEST" -sigfile "x/$uscc/MANIFEST.sig" >/dev/null 2>&1 ||
		return 1
	done <issued.tsv &&
	test_expect_code 1 reg-verify out/*.tar.gz >/dev/null
'

test_expect_success 'after the rotation the old key signs nothing that counts' '
	nanshan &&
	A=bureau/authority.xml &&
	cp $A bureau/before-rotation.xml &&
	reg-authority keygen --dept amr -o bureau/departments/amr-2.key >amr-2.pub 2>/dev/null &&
	reg-authority import --authority $A --now $IMPORTED --dept amr --from $ROTATION \
		--private bureau/departments/amr-2.key amr-2.pub >/dev/null &&
	nanshan_apps 2 >apps.csv &&
	reg-apply --authority $A --db r.db --now $NOV apps.csv >accepted.xml &&
	test_expect_code 78 reg-approve --authority $A --offline --dept amr \
		--key bureau/departments/amr.key --now $NOV_REVIEW accepted.xml >/dev/null 2>err &&
	grep -q "not the private key of department .amr." err &&
	# Signed anyway with the old key, through a copy of the file from before the rotation:
	reg-approve --authority bureau/before-rotation.xml --offline --all --now $NOV_REVIEW \
		accepted.xml >forged.xml &&
	test_expect_code 1 reg-merge --authority $A --db r.db --now $NOV_REVIEW forged.xml \
		>merged.xml 2>err &&
	grep -q "by .amr. at $NOV_REVIEW has a signature that does not match" err &&
	! grep -q "state=\"approved\"" merged.xml
'

test_expect_success 'show: the facts of the shipped test authority, marked test-only' '
	reg-authority show >out &&
	grep -qx "test-only	true" out &&
	grep -qx "division	150302	内蒙古自治区乌海市海勃湾区" out &&
	grep -qx "calendar	2026	filled" out &&
	test "$(grep -c "^key	" out)" = 11 &&
	test_expect_code 64 reg-authority show extra &&
	test_expect_code 64 reg-authority &&
	test_expect_code 64 reg-authority show --division 150302
'

test_done
