# lib-archive.sh — issuance archives for the end-to-end tests of reg-verify and reg-diff
# (t0600, t0610), sourced after lib.sh.
#
# The dossier comes from the real reg-apply; the documents around it follow docs/formats.md
# ("Archive") and the shapes of libreg/license.h and libreg/seal.h (license.xml, license.svg,
# twenty registration records, five seal drawings, seals/filing.xml, dossier.xml), and the archive
# is packed and signed by tests/mkarchive with libreg's own writer and the shipped test key — so
# these tests do not depend on reg-approve, reg-merge and reg-issue.  Every value is derived from
# the dossier, so changing one field of the application changes exactly the documents carrying it.

MKARCHIVE=$REG_BUILD_DIR/tests/mkarchive
# What reg-verify says of an archive checked with the shipped TEST authority's key.
TESTNOTE="signed by the TEST authority 乌海市海勃湾区市场监督管理局, whose keys are public: it proves nothing"
KEY=$FIXTURES/authority/authority.key
PUB=$FIXTURES/authority/authority.pub
NOW=2026-11-23T09:00:00+08:00
ISSUED=2026-11-23T10:00:00+08:00
MTIME=$(date -u -d 2026-11-23T02:00:00Z +%s)
USCC=91150302MA0000015Y
ITEMS="01-business-license 02-org-code 03-tax-registration 04-social-insurance 05-statistics
06-seal-filing 07-security-branch 08-foreign-trade 09-freight-forwarder 10-recycling
11-prepaid-card 12-medical-device-2 13-medical-device-1 14-origin-certificate
15-inspection-declarant 16-customs-declarant 17-real-estate-broker 18-cost-consultancy-branch
19-travel-branch 20-travel-outlet"
SEALS="01-official 02-finance 03-invoice 04-contract 05-legal-rep"

# The first application of the fixtures, as a one-row CSV in the current directory (with the
# material files it names); $1 (optional) is a sed expression applied to its row.
first_application() {
	cp -r "$FIXTURES/materials" . &&
	head -n 2 "$FIXTURES/apps.csv" >app.csv &&
	if [ $# -gt 0 ]; then sed -i "2$1" app.csv; fi
}

# xpath DOC EXPR — a string from an XML file (local names: namespaces stay out of the way).
xpath() {
	xmllint --xpath "string($2)" "$1"
}

# make_tree DOSSIER DIR — the documents of one issuance of DOSSIER (reg-apply's output) in DIR.
make_tree() {
	local d=$1 dir=$2 name rep capital form i n id code
	name=$(xpath "$d" "//*[local-name()='enterprise']/*[local-name()='name']") &&
	rep=$(xpath "$d" "//*[local-name()='legal-representative']/*[local-name()='name']") &&
	capital=$(xpath "$d" "//*[local-name()='capital']") &&
	form=$(xpath "$d" "//*[local-name()='form']") &&
	mkdir -p "$dir/registrations" "$dir/seals" &&
	# reg-apply writes a CSV's dossiers as a batch: the one dossier, unwrapped and issued.
	sed -e '/^<batch/d' -e '/^<\/batch>/d' -e 's/^  //' \
	    -e 's/ state="accepted"/ state="issued"/' \
	    -e "s|</dossier>|  <issuance uscc=\"$USCC\" time=\"$ISSUED\" authority=\"150302\"/>\n</dossier>|" \
	    "$d" >"$dir/dossier.xml" &&
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<license xmlns="urn:regkit:archive:1">'
		echo "  <uscc>$USCC</uscc>"
		echo "  <name>$name</name>"
		echo "  <form code=\"$form\">有限责任公司</form>"
		echo "  <legal-representative>$rep</legal-representative>"
		echo "  <capital currency=\"CNY\">$capital</capital>"
		echo '  <established>2026-11-23</established>'
		echo '  <authority division="150302">乌海市海勃湾区市场监督管理局</authority>'
		echo '  <items>'
		for i in $ITEMS; do
			echo "    <item number=\"${i%%-*}\" id=\"${i#*-}\" status=\"filed\">$i</item>"
		done
		echo '  </items>'
		echo '</license>'
	} >"$dir/license.xml" &&
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<svg xmlns="http://www.w3.org/2000/svg" width="297mm" height="210mm" viewBox="0 0 297 210">'
		echo '  <text x="148" y="42">营 业 执 照</text>'
		echo "  <text x=\"40\" y=\"70\">统一社会信用代码  $USCC</text>"
		echo "  <text x=\"40\" y=\"80\">名称  $name</text>"
		echo "  <text x=\"40\" y=\"90\">注册资本  $capital 元</text>"
		echo '</svg>'
	} >"$dir/license.svg" &&
	for i in $ITEMS; do
		{
			echo '<?xml version="1.0" encoding="UTF-8"?>'
			echo "<registration xmlns=\"urn:regkit:archive:1\" number=\"${i%%-*}\" item=\"${i#*-}\" status=\"filed\">"
			echo "  <uscc>$USCC</uscc>"
			echo "  <name>$name</name>"
			echo '  <filed>2026-11-23</filed>'
			echo '</registration>'
		} >"$dir/registrations/$i.xml" || return 1
	done &&
	n=0 &&
	for i in $SEALS; do
		n=$((n + 1))
		code=150302000000$n
		{
			echo '<?xml version="1.0" encoding="UTF-8"?>'
			echo '<svg xmlns="http://www.w3.org/2000/svg" width="40mm" height="40mm" viewBox="0 0 40 40">'
			echo "  <text class=\"name\">$name</text>"
			echo "  <text class=\"code\">$code</text>"
			echo '</svg>'
		} >"$dir/seals/$i.svg" || return 1
	done &&
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<seal-filing xmlns="urn:regkit:archive:1" date="2026-11-23">'
		echo "  <enterprise uscc=\"$USCC\" form=\"$form\">"
		echo "    <name>$name</name>"
		echo "    <legal-representative>$rep</legal-representative>"
		echo '  </enterprise>'
		echo '  <authority division="150302">乌海市海勃湾区市场监督管理局</authority>'
		echo '  <seals>'
		n=0
		for i in $SEALS; do
			n=$((n + 1))
			echo "    <seal code=\"150302000000$n\" type=\"${i%%-*}\" id=\"${i#*-}\" file=\"$i.svg\" fee=\"0.00\"/>"
		done
		echo '  </seals>'
		echo '  <total count="5" fee="0.00"/>'
		echo '</seal-filing>'
	} >"$dir/seals/filing.xml"
}

# pack DIR OUT — sign and pack the documents in DIR as the archive OUT (top directory $USCC).
pack() {
	"$MKARCHIVE" "$KEY" "$USCC" "$MTIME" "$1" "$2"
}

# pipeline DIR [SED] — the whole run into a fresh directory DIR with a fresh registry: accept the
# first fixture application (changed by SED), issue its documents, pack DIR/out/$USCC.tar.gz.
pipeline() {
	mkdir -p "$1/out" &&
	(
		cd "$1" &&
		shift &&
		first_application "$@" &&
		SOURCE_DATE_EPOCH=$MTIME reg-apply --db r.db --now $NOW app.csv >accepted.xml &&
		make_tree accepted.xml tree &&
		pack tree "out/$USCC.tar.gz"
	)
}

# file_list DIR — every path below DIR, sorted (to show that nothing was written there).
file_list() {
	(cd "$1" && find . -mindepth 1 | sort)
}
