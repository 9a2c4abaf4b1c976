#!/bin/bash
# t0100 — reg-verify's identifier mode: what an auditor piping codes through it relies on.
. "$(dirname "$0")/lib.sh"

CHARSET=0123456789ABCDEFGHJKLMNPQRTUWXY
USCC=914403001922038216
CID=11010519491231002X

# Expected output lines written with '|' for the TABs, so the golden files stay readable.
tabs() {
	tr '|' '\t'
}

# Every code that differs from $USCC in exactly one character of the USCC charset, one per
# line; $1 = only that position (0-based), or all positions.
substitutions() {
	local pos c from=0 to=17
	if [ $# -gt 0 ]; then from=$1 to=$1; fi
	for pos in $(seq "$from" "$to"); do
		for ((i = 0; i < ${#CHARSET}; i++)); do
			c=${CHARSET:i:1}
			[ "$c" = "${USCC:pos:1}" ] && continue
			echo "${USCC:0:pos}$c${USCC:pos+1}"
		done
	done
}

test_expect_success 'a real USCC is ok: the input, ok and an empty explanation' '
	printf "%s\tok\t\n" 914403001922038216 >expect &&
	reg-verify --uscc 914403001922038216 >out &&
	test_cmp expect out
'

test_expect_success 'every one-character substitution of the USCC is invalid' '
	substitutions >codes &&
	test "$(wc -l <codes)" -eq 540 &&
	test_expect_code 1 reg-verify --uscc <codes >out &&
	test "$(wc -l <out)" -eq 540 &&
	cut -f1 out >inputs && test_cmp codes inputs &&
	test "$(cut -f2 out | sort -u)" = invalid &&
	! cut -f3 out | grep -qx ""
'

test_expect_success 'substitutions given as arguments are invalid too, one line each' '
	test_expect_code 1 reg-verify --uscc $(substitutions 9) >out &&
	test "$(wc -l <out)" -eq 30 &&
	test "$(cut -f2 out | sort -u)" = invalid
'

test_expect_success 'a wrong last character names the expected check character 6' '
	substitutions 17 >codes &&
	test "$(wc -l <codes)" -eq 30 &&
	sed "s/\$/\tinvalid\tcheck character should be 6/" codes >expect &&
	test_expect_code 1 reg-verify --uscc <codes >out &&
	test_cmp expect out
'

test_expect_success 'a changed organization code is reported as such' '
	echo "914403001922038226|invalid|organization code '\''192203822'\'' fails its check: its last character should be 1" | tabs >expect &&
	test_expect_code 1 reg-verify --uscc 914403001922038226 >out &&
	test_cmp expect out
'

test_expect_success 'the citizen id example of GB 11643 is ok' '
	printf "%s\tok\t\n" 11010519491231002X >expect &&
	reg-verify --citizen-id 11010519491231002X >out &&
	test_cmp expect out
'

test_expect_success '30 February is not a birth date' '
	test_expect_code 1 reg-verify --citizen-id 150302199902300014 >out &&
	test "$(cut -f1,2 out)" = "$(printf "150302199902300014\tinvalid")" &&
	cut -f3 out | grep "birth date" &&
	cut -f3 out | grep "does not exist"
'

test_expect_success 'stdin: one input per line, CR stripped, order kept, rules in order' '
	printf "%s\r\n" 914403001922038216 91150302ma0000015y 9144030019220382 >in &&
	printf "%s\n" B14403001922038216 91150302MA0000015Y >>in &&
	tabs >expect <<-\EOF &&
	914403001922038216|ok|
	91150302ma0000015y|invalid|character '\''m'\'' at position 9 is lower case: use upper case
	9144030019220382|invalid|has 16 characters, should have 18
	B14403001922038216|invalid|registration department '\''B'\'' does not exist
	91150302MA0000015Y|ok|
	EOF
	test_expect_code 1 reg-verify --uscc <in >out &&
	test_cmp expect out
'

test_expect_success 'stdin: an empty input gives no output and exit 0' '
	reg-verify --citizen-id </dev/null >out &&
	test ! -s out
'

test_expect_success 'stdin: an overlong line and a NUL byte are invalid, no crash' '
	{ head -c 100000 /dev/zero | tr "\0" 9 && echo && printf "11010519491231002X\0x\n" &&
	  echo 11010519491231002X; } >in &&
	test_expect_code 1 reg-verify --citizen-id <in >out &&
	test "$(wc -l <out)" -eq 3 &&
	sed -n 1p out | grep -q "	invalid	longer than 4096 bytes$" &&
	sed -n 2p out | grep -q "^11010519491231002X\\\\x00x	invalid	contains a nul byte$" &&
	sed -n 3p out | grep -q "^11010519491231002X	ok	$"
'

test_expect_success 'a TAB inside an input cannot add a field' '
	test_expect_code 1 reg-verify --org-code "$(printf "1922\t03821")" >out &&
	test "$(awk -F"\t" "{ print NF }" out)" = 3 &&
	grep -q "^1922\\\\x0903821	invalid	" out
'

test_expect_success 'org codes: ok, hyphenated, lower case' '
	tabs >expect <<-\EOF &&
	192203821|ok|
	19220382-1|invalid|has 10 characters, should have 9: write it without the hyphen
	ma0000015|invalid|character '\''m'\'' at position 1 is lower case: use upper case
	192203822|invalid|check character should be 1
	EOF
	test_expect_code 1 reg-verify --org-code 192203821 19220382-1 ma0000015 192203822 >out &&
	test_cmp expect out
'

test_expect_success 'exit 0 when all are ok, 1 when any is invalid' '
	reg-verify --uscc 914403001922038216 91150302MA0000015Y >/dev/null &&
	test_expect_code 1 reg-verify --uscc 914403001922038216 914403001922038217 >out &&
	test "$(wc -l <out)" -eq 2
'

test_expect_success 'usage errors exit 64 and say why on stderr' '
	test_expect_code 64 reg-verify 914403001922038216 >out 2>err &&
	test ! -s out && grep -e "--uscc, --org-code or --citizen-id" err &&
	test_expect_code 64 reg-verify --uscc --citizen-id 914403001922038216 2>err &&
	grep "not both" err &&
	test_expect_code 64 reg-verify --uscc --no-such-option 2>err &&
	grep "unknown option" err &&
	test_expect_code 64 reg-verify --uscc=1 2>err &&
	test_expect_code 64 reg-verify --uscc --db 2>err &&
	test_expect_code 64 reg-verify </dev/null
'

test_expect_success 'the configuration options it uses are accepted, the others refused' '
	reg-verify --uscc --db none.db --catalog "$SRC/schemas/catalog.xml" \
		--authority "$FIXTURES/authority/authority.xml" 914403001922038216 >out &&
	test ! -e none.db &&
	: the window, the clerk and the time are the acceptance tools, not the auditor &&
	for opt in --window=02 --clerk=x --now=2026-11-23T09:00:00+08:00; do
		test_expect_code 64 reg-verify --uscc $opt 914403001922038216 2>err &&
		grep -q "unknown option .${opt%%=*}." err || return 1
	done &&
	reg-verify --help >help && ! grep -q -e "--window" help
'

test_expect_success '--help and --version exit 0 on stdout' '
	reg-verify --help >out &&
	grep -e "--uscc" out && grep -e "--citizen-id" out && grep -e "--db" out &&
	reg-verify --version >out &&
	grep "^reg-verify (regkit) " out
'

test_expect_success '--explain decomposes valid codes (golden)' '
	tabs >expect <<-\EOF &&
	914403001922038216|ok|department 9 工商 industry and commerce; category 1 企业 enterprise; division 440300 广东省深圳市; organization code 192203821; check 6
	91150302MA0000015Y|ok|department 9 工商 industry and commerce; category 1 企业 enterprise; division 150302 内蒙古自治区乌海市海勃湾区; organization code MA0000015; check Y
	12100000400000624D|ok|department 1 机构编制 institutional establishment; category 2 事业单位 public institution; division 100000 unknown; organization code 400000624; check D
	91100000MA0000058B|ok|department 9 工商 industry and commerce; category 1 企业 enterprise; division 100000 unknown; organization code MA0000058; check B
	914403001922038217|invalid|check character should be 6
	EOF
	cut -f1 expect >in &&
	test_expect_code 1 reg-verify --uscc --explain <in >out &&
	test_cmp expect out &&
	tabs >expect <<-\EOF &&
	11010519491231002X|ok|division 110105 北京市朝阳区; birth date 1949-12-31; order 002; sex female; check X
	150302199902300014|invalid|birth date 1999-02-30 does not exist
	EOF
	test_expect_code 1 reg-verify --citizen-id --explain 11010519491231002X 150302199902300014 >out &&
	test_cmp expect out &&
	printf "192203821\tok\tbody 19220382; check 1\n" >expect &&
	reg-verify --org-code --explain 192203821 >out &&
	test_cmp expect out
'

test_expect_success '--explain names the division wherever it lies; a retired one is unknown' '
	tabs >expect <<-\EOF &&
	91440305MA5D00016X|ok|department 9 工商 industry and commerce; category 1 企业 enterprise; division 440305 广东省深圳市南山区; organization code MA5D00016; check X
	91441900MA5D000161|ok|department 9 工商 industry and commerce; category 1 企业 enterprise; division 441900 广东省东莞市; organization code MA5D00016; check 1
	91659001MA5D00016M|ok|department 9 工商 industry and commerce; category 1 企业 enterprise; division 659001 新疆维吾尔自治区石河子市; organization code MA5D00016; check M
	91500157MA5D000164|ok|department 9 工商 industry and commerce; category 1 企业 enterprise; division 500157 重庆市两江新区; organization code MA5D00016; check 4
	91500105MA5D00016R|ok|department 9 工商 industry and commerce; category 1 企业 enterprise; division 500105 unknown, in 重庆市; organization code MA5D00016; check R
	EOF
	cut -f1 expect >in &&
	reg-verify --uscc --explain <in >out &&
	test_cmp expect out &&
	tabs >expect <<-\EOF &&
	440305199003071236|ok|division 440305 广东省深圳市南山区; birth date 1990-03-07; order 123; sex male; check 6
	110103198001010013|ok|division 110103 unknown, in 北京市; birth date 1980-01-01; order 001; sex male; check 3
	EOF
	reg-verify --citizen-id --explain 440305199003071236 110103198001010013 >out &&
	test_cmp expect out
'

test_done
