#!/bin/bash
# reg-apply -i at a terminal (a pseudo-terminal driven by t0340/drive.py): acceptance's checks
# while the form is filled in — a name already registered refused at its own question — and
# an interrupted form resumed from its draft.
. "$(dirname "$0")/lib.sh"
NOW=2026-11-23T09:00:00+08:00
DB=$TRASH/form.db
DRAFT=$TRASH/counter/draft
T='	'

# The steps of a form up to the legal representative's id: "PROMPT<TAB>ANSWER" (drive.py).
steps_start() {
	cat <<-EOT
	组织形式 form: ${T}llc
	行政区划 division \[150302\]: $T
	企业名称 name: $T$1
	EOT
	steps_after_name
}

steps_after_name() {
	cat <<-EOT
	注册资本 capital: ${T}1000000
	住所 address: ${T}乌海市海勃湾区新华大街18号
	经营范围 scope: ${T}日用百货销售
	行业代码 industry: ${T}F5211
	法定代表人 legal_rep_name: ${T}张伟
	法定代表人身份证号 legal_rep_id: ${T}15030219850315609X
	EOT
}

# From the legal representative's phone to the contact phone.
steps_people() {
	cat <<-EOT
	legal_rep_phone \(optional\): ${T}13904731234
	shareholders 1 名称 name ${T}张伟
	id \(citizen id or USCC\) \[15030219850315609X\]: $T
	share \(%, 100.00 left\): ${T}60
	shareholders 2 名称 name ${T}李娜
	id \(citizen id or USCC\): ${T}150302198705124184
	share \(%, 40.00 left\): ${T}40
	shareholders 3 名称 name $T
	finance_officer_name \(optional\): ${T}李娜
	finance_officer_id: ${T}150302198705124184
	staff \(optional\): ${T}12
	contact_phone \(optional\): ${T}0473-3921234
	EOT
}

ALL_MATERIALS="application-form articles shareholder-id legal-rep-id name-declaration
	premises-proof appointment agent-authority"

# steps_materials ID… — each material sighted at the window, then the empty answer.
steps_materials() {
	local n=0 m
	for m; do
		n=$((n + 1))
		printf 'materials %s \\(empty to finish\\): %s%s=\n' $n "$T" "$m"
	done
	printf 'materials %s \\(empty to finish\\): %s\n' $((n + 1)) "$T"
}

steps_end() {
	cat <<-EOT
	commitments 1 \(optional, empty to finish\): $T
	requests \(optional\): $T
	确认 confirm\? \[y/n\]: ${T}y
	EOT
}

# From the legal representative's phone to the confirmation.
steps_rest() {
	steps_people && steps_materials $ALL_MATERIALS && steps_end
}

# form STEPS OUT [reg-apply options] — reg-apply -i on a terminal; the exit status is its own.
form() {
	local steps=$1 out=$2
	shift 2
	python3 "$SRC/tests/t/t0340/drive.py" "$steps" transcript "$out" -- \
		reg-apply -i --db "$DB" --now $NOW "$@"
}

names() {
	test_sql "$DB" "SELECT name FROM names ORDER BY name"
}

test_expect_success 'a form filled in at the terminal is accepted' '
	{ steps_start 乌海市恒泰商贸有限公司 && steps_rest; } >steps &&
	form steps out.xml &&
	grep -q "number=\"150302-20261123-000001\"" out.xml &&
	grep -q "<name>乌海市恒泰商贸有限公司</name>" out.xml &&
	xmllint --noout --schema "$SRC/schemas/dossier.xsd" out.xml &&
	test "$(test_rows "$DB" dossiers)" = 1
'

test_expect_success 'the same name is refused at the name question, another one goes on to acceptance' '
	{
		printf "组织形式 form: %sllc\n" "$T" &&
		printf "行政区划 division \\\\[150302\\\\]: %s\n" "$T" &&
		printf "企业名称 name: %s乌海市恒泰商贸有限公司\n" "$T" &&
		printf "  name: .乌海市恒泰商贸有限公司. is already registered under 乌海市海勃湾区市场监督管理局\n" &&
		printf "企业名称 name: %s乌海市恒昌商贸有限公司\n" "$T" &&
		steps_after_name && steps_rest
	} >steps &&
	form steps out.xml &&
	test "$(grep -c "is already registered" transcript)" = 1 &&
	grep -q "number=\"150302-20261123-000002\"" out.xml &&
	grep -q "<name>乌海市恒昌商贸有限公司</name>" out.xml &&
	printf "%s\n" 乌海市恒昌商贸有限公司 乌海市恒泰商贸有限公司 >expect &&
	names >actual &&
	test_cmp expect actual
'

test_expect_success 'Ctrl-C halfway through a form records nothing and leaves its answers in the draft' '
	{ steps_start 乌海市恒达商贸有限公司 &&
	  printf "legal_rep_phone \\\\(optional\\\\): %s<INTR>\n" "$T"; } >steps &&
	test_expect_code 130 form steps out.xml --draft "$DRAFT" &&
	test ! -s out.xml &&
	test "$(test_rows "$DB" dossiers)" = 2 &&
	test "$(stat -c %a "$DRAFT")" = 600 &&
	test "$(stat -c %a "${DRAFT%/*}")" = 700 &&
	grep -qx "name=乌海市恒达商贸有限公司" "$DRAFT" &&
	grep -qx "legal_rep_id=15030219850315609X" "$DRAFT" &&
	! grep -q "^legal_rep_phone=" "$DRAFT"
'

test_expect_success 'the next form resumes the draft at the first unanswered question; accepted, the draft goes' '
	{
		printf "kept in %s: 9 answers, 企业名称 name 乌海市恒达商贸有限公司\n" "$DRAFT" &&
		printf "继续 resume it\\\\? \\\\[y/n\\\\]: %sy\n" "$T" &&
		steps_rest
	} >steps &&
	form steps out.xml --draft "$DRAFT" &&
	! grep -q "division \[150302\]" transcript &&
	grep -q "<name>乌海市恒达商贸有限公司</name>" out.xml &&
	grep -q "number=\"150302-20261123-000003\"" out.xml &&
	test ! -e "$DRAFT" &&
	test "$(test_rows "$DB" dossiers)" = 3 &&
	printf "%s\n" 乌海市恒昌商贸有限公司 乌海市恒泰商贸有限公司 乌海市恒达商贸有限公司 >expect &&
	names >actual &&
	test_cmp expect actual &&
	test "$(test_sql "$DB" "SELECT count(*) FROM events WHERE kind = '\''accepted'\''")" = 3
'

test_expect_success 'what acceptance would refuse is said before the confirmation, and its field asked again' '
	{
		steps_start 乌海市恒兴商贸有限公司 && steps_people &&
		steps_materials $(echo $ALL_MATERIALS | sed "s/ articles//") &&
		steps_end | sed "/confirm/d" &&
		printf "acceptance would refuse it:\n" &&
		printf "  materials: core material .articles. \\\\(公司章程\\\\) is missing\n" &&
		steps_materials $ALL_MATERIALS &&
		steps_end | sed -n "/confirm/p"
	} >steps &&
	form steps out.xml &&
	test "$(grep -c "确认 confirm" transcript)" = 1 &&
	grep -q "<name>乌海市恒兴商贸有限公司</name>" out.xml &&
	grep -q "type=\"articles\"" out.xml &&
	test "$(test_rows "$DB" dossiers)" = 4
'

test_expect_success 'piped: the area at the division question, the catalog at each commitment' '
	printf "%s\n" llc 150303 "" 乌海市恒盛商贸有限公司 1000000 乌海市海勃湾区新华大街18号 \
		日用百货销售 F5211 张伟 15030219850315609X "" 张伟 "" 100 "" "" "" "" \
		application-form= articles= shareholder-id= legal-rep-id= "" \
		name-declaration@2026-12-01 premises-proof@2027-03-01 premises-proof@2026-12-23 \
		>answers &&
	test_expect_code 1 reg-apply -i --db "$DB" --now $NOW <answers >out.xml 2>transcript &&
	grep -A1 "^行政区划 division \[150302\]: 150303$" transcript | tail -1 >actual &&
	echo "  division: division 150303 (内蒙古自治区乌海市海南区) is outside the area of 乌海市海勃湾区市场监督管理局" >expect &&
	grep -A1 "name-declaration@2026-12-01$" transcript | tail -1 >>actual &&
	echo "  commitments: '\''name-declaration'\'' (企业名称自主申报告知书) is a core material and cannot be deferred" >>expect &&
	grep -A1 "premises-proof@2027-03-01$" transcript | tail -1 >>actual &&
	echo "  commitments: '\''premises-proof'\'': due date 2027-03-01 is more than 30 days after acceptance" >>expect &&
	grep -A1 "premises-proof@2026-12-23$" transcript | tail -1 >>actual &&
	echo "承诺 commitments 2 (optional, empty to finish): " >>expect &&
	test_cmp expect actual &&
	test "$(test_rows "$DB" dossiers)" = 4
'

test_done
