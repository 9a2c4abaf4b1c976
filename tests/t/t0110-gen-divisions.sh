#!/bin/bash
# t0110 — scripts/gen-divisions.py, which compiles schemas/divisions.tsv at build time: the
# yearly update of the table (docs/divisions.md) relies on it composing the special cases'
# names and refusing a doubtful table with its line, leaving no output behind.
. "$(dirname "$0")/lib.sh"

GEN=$SRC/scripts/gen-divisions.py

# table FILE: code<TAB>name lines from '|'-separated ones on standard input
table() {
	tr '|' '\t' >"$1"
}

# composed CODE FULL: out.c gives CODE the full name FULL
composed() {
	grep -F -e "\"$2\" \"\\0\"  /* $1 */" out.c
}

# refused TSV LINE MESSAGE: gen-divisions exits 1 naming TSV:LINE and MESSAGE, writes no output
refused() {
	test_expect_code 1 python3 "$GEN" "$1" out.c 2>err &&
	grep -F "gen-divisions: $1:$2: $3" err &&
	test ! -e out.c
}

test_expect_success 'the shipped table compiles' '
	python3 "$GEN" "$SRC/schemas/divisions.tsv" out.c &&
	composed 150302 内蒙古自治区乌海市海勃湾区 &&
	composed 429004 湖北省仙桃市
'

test_expect_success 'names are composed for the cases without a prefecture' '
	table t.tsv <<-\EOF &&
	# comments and blank lines before the header are allowed

	code|name
	110000|北京市
	110105|朝阳区
	420000|湖北省
	429004|仙桃市
	440000|广东省
	441900|东莞市
	440300|深圳市
	440305|南山区
	650000|新疆维吾尔自治区
	659001|石河子市
	EOF
	python3 "$GEN" t.tsv out.c &&
	composed 110105 北京市朝阳区 &&
	composed 429004 湖北省仙桃市 &&
	composed 441900 广东省东莞市 &&
	composed 440305 广东省深圳市南山区 &&
	composed 659001 新疆维吾尔自治区石河子市 &&
	grep -F "const size_t reg_divisions_count = 10;" out.c &&
	sed -n "/{\"/s/^.{\"\([0-9]*\)\".*/\1/p" out.c >codes &&
	sort -c codes
'

test_expect_success 'a code that is not six digits, or has no province, is refused' '
	printf "code\tname\n110000\t北京市\n11010\t东城区\n" >t.tsv &&
	refused t.tsv 3 "code '\''11010'\'' is not 6 digits" &&
	printf "110000\t北京市\n001000\t某地\n" >t.tsv &&
	refused t.tsv 2 "code '\''001000'\'' has no province" &&
	printf "110000\t北京市\n110101\t东城区\textra\n" >t.tsv &&
	refused t.tsv 2 "expected 2 tab-separated fields, got 3"
'

test_expect_success 'a duplicate code, an empty name or a control character is refused' '
	printf "110000\t北京市\n110101\t东城区\n110101\t西城区\n" >t.tsv &&
	refused t.tsv 3 "duplicate code 110101 (first on line 2)" &&
	printf "110000\t北京市\n110101\t \n" >t.tsv &&
	refused t.tsv 2 "empty name or control character in the name of 110101" &&
	printf "110000\t北京市\n110101\t东城\001区\n" >t.tsv &&
	refused t.tsv 2 "empty name or control character in the name of 110101"
'

test_expect_success 'the placeholders of older editions are refused' '
	printf "110000\t北京市\n110100\t市辖区\n110101\t东城区\n" >t.tsv &&
	refused t.tsv 2 "'\''市辖区'\'' (110100) is a placeholder of the standard, not a division" &&
	printf "420000\t湖北省\n429000\t省直辖县级行政区划\n429004\t仙桃市\n" >t.tsv &&
	refused t.tsv 2 "'\''省直辖县级行政区划'\'' (429000) is a placeholder" &&
	printf "500000\t重庆市\n500200\t县\n" >t.tsv &&
	refused t.tsv 2 "'\''县'\'' (500200) is a placeholder"
'

test_expect_success 'a division whose province or prefecture is missing is refused' '
	printf "440000\t广东省\n440305\t南山区\n" >t.tsv &&
	refused t.tsv 2 "prefecture 440300 of 440305 is not in the table" &&
	printf "440300\t深圳市\n" >t.tsv &&
	refused t.tsv 1 "province 440000 of 440300 is not in the table" &&
	printf "110000\t北京市\n110100\t北京城区\n" >t.tsv &&
	refused t.tsv 2 "prefecture 110100 under the municipality 北京市"
'

test_done
