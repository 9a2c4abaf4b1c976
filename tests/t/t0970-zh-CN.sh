#!/bin/bash
# The tools in Chinese (docs/i18n.md): with LANG=zh_CN.UTF-8 errors, usage and --help come from
# po/zh_CN.po, an error keeps its `reg-x: FILE:LINE: FIELD: …` shape (only what is wrong is
# translated), the C locale stays English, and what the tools write as data is the same bytes in
# either language.  The zh_CN.UTF-8 locale is made here when the machine lacks it (as root, with
# the locales package); a machine that cannot have it fails, but a user's non-root run without
# it skips.
. "$(dirname "$0")/lib.sh"

have_zh() {
	locale -a 2>/dev/null | grep -qix 'zh_CN\.utf-\?8'
}
if ! have_zh && [ "$(id -u)" -eq 0 ] && command -v localedef >/dev/null; then
	localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 2>/dev/null || :
fi
if ! have_zh; then
	if [ "$(id -u)" -ne 0 ] && [ -z "${CI:-}" ]; then
		echo "1..0 # SKIP no zh_CN.UTF-8 locale (as root: apt-get install locales; localedef -i zh_CN -f UTF-8 zh_CN.UTF-8)"
		exit 0
	fi
	echo "Bail out! the zh_CN.UTF-8 locale is missing and cannot be made (install locales)"
	exit 1
fi

# Run a tool in Chinese: LANG decides, as for a clerk whose desktop is Chinese.
zh() {
	env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=zh_CN.UTF-8 "$@"
}
# ... and in the C locale.
c() {
	env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=C "$@"
}
APPS=$FIXTURES/apps.xml

test_expect_success 'reg-issue: a dossier never accepted, in Chinese, in its FILE:LINE: FIELD: shape' '
	test_expect_code 1 zh reg-issue --db reg.db -o out "$APPS" >out.tsv 2>err &&
	grep -qx "reg-issue: $APPS:5: /dossier/acceptance: 案卷从未受理：未核发" err &&
	test "$(grep -c "^reg-issue: $APPS:[0-9]*: /dossier/acceptance: 案卷从未受理：未核发\$" err)" -eq 20 &&
	grep -qx "reg-issue: 20 份案卷未核发" err &&
	test_expect_code 1 c reg-issue --db reg.db -o out "$APPS" 2>err.c &&
	grep -qx "reg-issue: $APPS:5: /dossier/acceptance: dossier was never accepted: not issued" err.c
'

test_expect_success 'reg-seal: an unissued dossier refused in Chinese, the field a path as in English' '
	test_expect_code 1 zh reg-seal --db reg.db -o out "$APPS" 2>err &&
	grep -qx "reg-seal: $APPS:49: /dossier/issuance: 案卷尚未核发：其印章需要统一社会信用代码（--specimen 绘制样本）" err &&
	test_expect_code 1 c reg-seal --db reg.db -o out "$APPS" 2>err.c &&
	grep -q "^reg-seal: $APPS:49: /dossier/issuance: the dossier has not been issued" err.c
'

test_expect_success 'reg-approve and reg-merge: a dossier without acceptance number, in Chinese' '
	reg-registry init --db reg.db >/dev/null &&
	test_expect_code 1 zh reg-approve --all --db reg.db "$APPS" >/dev/null 2>err &&
	grep -qx "reg-approve: $APPS:87: /dossier/acceptance: 未受理：案卷没有受理号" err &&
	test_expect_code 1 zh reg-merge --db reg.db "$APPS" >/dev/null 2>err &&
	grep -qx "reg-merge: $APPS:87: /dossier/acceptance: 未受理：案卷没有受理号" err &&
	test_expect_code 1 c reg-merge --db reg.db "$APPS" >/dev/null 2>err.c &&
	grep -qx "reg-merge: $APPS:87: /dossier/acceptance: not accepted: the dossier has no acceptance number" err.c
'

test_expect_success 'an error without a line keeps its FIELD: reg-authority names the flag' '
	test_expect_code 64 zh reg-authority new --division 999999 auth 2>err &&
	grep -qx "reg-authority: division: 未知行政区划“999999”" err &&
	test_expect_code 64 c reg-authority new --division 999999 auth 2>err.c &&
	grep -qx "reg-authority: division: unknown division '\''999999'\''" err.c
'

test_expect_success 'reg-apply: a rejected application in Chinese, FILE:LINE: FIELD: as in English' '
	BAD=$FIXTURES/bad/bad-form.csv &&
	test_expect_code 1 zh reg-apply --db apply.db "$BAD" >/dev/null 2>err &&
	grep -qx "reg-apply: $BAD:2: form: “corp”不是法定的企业类型（llc、jsc、sole 或 partnership）" err &&
	grep -qx "reg-apply: 1 份申请不予受理（共 1 份）" err &&
	test_expect_code 1 c reg-apply --db apply.db "$BAD" >/dev/null 2>err.c &&
	grep -qx "reg-apply: $BAD:2: form: '\''corp'\'' is not a legal form (llc, jsc, sole or partnership)" err.c &&
	grep -qx "reg-apply: 1 of 1 applications rejected" err.c
'

test_expect_success 'reg-apply -i: the form refuses an answer and gives up in Chinese' '
	printf "%s\n" "?" "有限公司x" "" |
		test_expect_code 1 zh reg-apply -i --db apply.db --draft draft >/dev/null 2>form &&
	grep -q "^  组织形式 form: llc（有限责任公司）.*（按 TAB 列出可选项）$" form &&
	grep -qx "  form: “有限公司x”不是法定的组织形式：llc、jsc、sole 或 partnership" form &&
	grep -qx "已放弃，未作任何记录" form &&
	grep -qx "reg-apply: 已放弃：未作任何记录" form &&
	printf "%s\n" "有限公司x" "" | test_expect_code 1 c reg-apply -i --db apply.db --draft draft \
		>/dev/null 2>form.c &&
	grep -qx "  form: '\''有限公司x'\'' is not a legal form: llc, jsc, sole or partnership" form.c &&
	grep -qx "reg-apply: abandoned: nothing recorded" form.c
'

test_expect_success 'reg-status and reg-notice: a bad authority file in Chinese, FILE:LINE: FIELD: kept' '
	sed "s|<time-zone>+08:00</time-zone>|<time-zone>+25:00</time-zone>|" \
		"$FIXTURES/authority/authority.xml" >badauth.xml &&
	! cmp -s badauth.xml "$FIXTURES/authority/authority.xml" &&
	reg-registry init --db status.db >/dev/null &&
	for tool in reg-status "reg-notice -o sheets receipt 150302-20261123-000001"; do
		# shellcheck disable=SC2086 # the tool and its arguments are words
		test_expect_code 78 zh $tool --db status.db --authority badauth.xml >/dev/null 2>err &&
		grep -q "^${tool%% *}: badauth.xml:[0-9][0-9]*: /authority/time-zone: UTC 时差“+25:00”有误（应为 +HH:MM）\$" err &&
		# shellcheck disable=SC2086
		test_expect_code 78 c $tool --db status.db --authority badauth.xml >/dev/null 2>err.c &&
		grep -q "^${tool%% *}: badauth.xml:[0-9][0-9]*: /authority/time-zone: bad UTC offset '\''+25:00'\'' (expected +HH:MM)\$" err.c ||
		return 1
	done
'

test_expect_success 'reg-status, reg-notice and reg-verify: their usage errors in Chinese' '
	test_expect_code 64 zh reg-status --within P1D 2>err &&
	grep -qx "reg-status: --within 须与 --commitments 同用" err &&
	test_expect_code 64 zh reg-status --format yaml 2>err &&
	grep -qx "reg-status: --format 应为 tsv、json 或 xml，而不是“yaml”" err &&
	test_expect_code 64 zh reg-notice -o sheets 2>err &&
	grep -qx "reg-notice: 请给出种类（receipt、onetime、rejection、slip、overdue）和案卷受理号" err &&
	test_expect_code 64 zh reg-verify 2>err &&
	grep -qx "reg-verify: 请说明要核验什么：档案...，或 --uscc、--org-code、--citizen-id" err &&
	test_expect_code 64 c reg-status --within P1D 2>err.c &&
	grep -qx "reg-status: --within goes with --commitments" err.c
'

test_expect_success 'usage errors in Chinese, with the pointer to --help' '
	test_expect_code 64 zh reg-issue --db reg.db 2>err &&
	grep -qx "reg-issue: 必须给出 -o 目录（档案存放之处）" err &&
	grep -qx "请尝试执行“reg-issue --help”来获取更多信息。" err &&
	test_expect_code 2 zh reg-diff only-one 2>err &&
	grep -qx "reg-diff: 请给出两份要比较的输入：A 和 B" err &&
	test_expect_code 2 c reg-diff only-one 2>err.c &&
	grep -qx "reg-diff: give two inputs to compare, A and B" err.c
'

test_expect_success '--help in Chinese from reg-issue, reg-merge and reg-seal; the shared options too' '
	zh reg-issue --help >issue &&
	grep -q "^用法：reg-issue -o 目录 \[选项\] \[文件...\]" issue &&
	grep -q "一窗出件" issue && grep -q "^退出状态：" issue &&
	grep -q "^配置（选项优先于环境变量，环境变量优先于默认值）：" issue &&
	grep -q "^      --db 文件         登记簿数据库" issue &&
	zh reg-merge --help >merge &&
	grep -q "^用法：reg-merge \[选项\] \[文件...\]" merge && grep -q "不予登记" merge &&
	zh reg-seal --help >seal &&
	grep -q "^用法：reg-seal \[-o 目录\]" seal && grep -q "法定代表人" seal &&
	grep -q "^      --authority 文件  authority.xml（REG_AUTHORITY；默认：见 regkit(7)）" issue &&
	grep -q "^      --progress        即使标准错误不是终端也显示进度行" issue &&
	grep -q "^      --quiet           不显示进度行" issue &&
	! grep -q "^usage:\|^Exit status\|^      --progress        show" issue merge seal
'

test_expect_success '--help in Chinese from reg-apply, reg-status, reg-notice and reg-verify' '
	zh reg-apply --help >apply &&
	grep -q "^用法：reg-apply \[选项\] \[文件...\]" apply && grep -q "一窗受理" apply &&
	grep -q "^  -r, --rejects 文件    将不予受理的申请" apply &&
	grep -q "^      --quiet           不显示进度行" apply &&
	zh reg-status --help >status &&
	grep -q "^用法：reg-status \[--state 状态\]" status && grep -q "提醒单 … 移交函" status &&
	grep -q "^配置（选项优先于环境变量，环境变量优先于默认值）：" status &&
	zh reg-notice --help >notice &&
	grep -q "^用法：reg-notice -o 目录 \[选项\] 种类 受理号" notice &&
	grep -q "^  rejection   不予登记通知书：" notice &&
	zh reg-verify --help >verify &&
	grep -q "^用法：reg-verify --uscc" verify && grep -q "统一社会信用代码（GB 32100-2015）" verify &&
	grep -q "^退出状态：" apply status notice verify &&
	! grep -q "^usage:\|^Exit status\|^Configuration" apply status notice verify
'

test_expect_success 'the C locale stays English: the same --help, word for word' '
	c reg-issue --help >issue.c &&
	grep -q "^usage: reg-issue -o DIR \[options\] \[FILE...\]" issue.c &&
	grep -q "^Configuration (an option beats the environment beats the default):" issue.c &&
	! grep -q "用法\|配置" issue.c &&
	reg-issue --help >issue.test &&
	test_cmp issue.c issue.test &&
	env -u LC_ALL -u LANG -u LC_MESSAGES -u LANGUAGE reg-merge --help >merge.none &&
	grep -q "^usage: reg-merge" merge.none
'

test_expect_success 'LC_ALL beats LANG: LC_ALL=C gives English even when LANG is Chinese' '
	test_expect_code 64 env LANG=zh_CN.UTF-8 LC_ALL=C reg-issue --db reg.db 2>err &&
	grep -qx "reg-issue: -o DIR is required (where the archives go)" err
'

test_expect_success 'data is never translated: reg-approve --list-depts is the catalog'\''s own text' '
	zh reg-approve --list-depts >zh.tsv &&
	c reg-approve --list-depts >c.tsv &&
	test_cmp c.tsv zh.tsv &&
	test -s zh.tsv
'

test_expect_success 'data is never translated: the pipeline in Chinese issues the same archives, byte for byte' '
	export SOURCE_DATE_EPOCH=1795395600 &&
	for lang in C zh_CN.UTF-8; do
		mkdir "$lang" &&
		(cd "$lang" &&
		 export LANG=$lang && unset LC_ALL &&
		 reg-apply --db r.db "$FIXTURES/apps.csv" 2>apply.err |
			reg-approve --all --db r.db 2>approve.err |
			reg-merge --db r.db >merged.xml 2>merge.err &&
		 reg-issue --db r.db -o out merged.xml >issued.tsv) || return 1
	done &&
	test "$(wc -l <C/issued.tsv)" -gt 0 &&
	test_cmp C/merged.xml zh_CN.UTF-8/merged.xml &&
	test_cmp C/issued.tsv zh_CN.UTF-8/issued.tsv &&
	(cd C/out && sha256sum *.tar.gz) >C.sums &&
	(cd zh_CN.UTF-8/out && sha256sum *.tar.gz) >zh.sums &&
	test_cmp C.sums zh.sums
'
test_done
