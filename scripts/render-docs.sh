#!/bin/sh
# render-docs.sh — regenerate the pictures of docs/issuance.md, docs/seals.md and
# docs/notices.md from real issuances: the license (docs/img/license*.png, 1200 pixels wide), the
# seal set (docs/img/seal-*.png, 10 pixels per millimetre on white) and the clerk's notices
# (docs/img/notice-*.png, 700 pixels wide), with the built tools and rsvg-convert.
#
#   scripts/render-docs.sh [BUILD_DIR]      (default: build)
#
# The shipped fixture applications go through the whole pipeline into a throw-away registry,
#   reg-apply fixtures/apps.csv | reg-approve --all | reg-merge | reg-issue -o OUT
# and license.svg and seals/*.svg of the first enterprise, 乌海市恒泰商贸有限公司
# (USCC 91150302MA0000015Y, seal codes 1503020000001-5), are taken out of its archive; so are
# the first two sheets of the license of fixtures/apps-longest.csv (the longest name, person,
# address and scope the window accepts), issued into a second registry.  The specimens come from
# reg-seal --specimen, the notices from the test helper mknotices (tests/unit/notice_samples.h).
#
# Needs rsvg-convert (librsvg2-bin), tar and CJK fonts (fonts-arphic-uming, fonts-arphic-ukai,
# fonts-noto-cjk); none of them is needed to build or test regkit.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
bin=$build/cmd
img=$src/docs/img

NAME=乌海市恒泰商贸有限公司
USCC=91150302MA0000015Y
REP=张伟
LONG=内蒙古自治区乌海市海勃湾区恒泰商贸物流信息咨询服务股份有限公司
# The longest name the window accepts (100 characters) and name seals of 10 and 30 characters.
LONGEST=内蒙古自治区乌海市海勃湾区恒泰昌商贸物流信息咨询服务餐饮娱乐管理科技开发建筑工程环保能源农牧业\
机械设备租赁进出口贸易文化传媒广告会展旅游酒店房地产开发物业管理汽车销售维修电子商务网络新技术服务有限公司
PERSON10=阿卜杜热合曼·买买提
PERSON30=阿卜杜热合曼·买买提明·艾则孜江·阿不都克力木·吐尔洪阿吉江
NOW=2026-11-23T10:00:00+08:00

die() {
	echo "render-docs.sh: $*" >&2
	exit 1
}
for tool in cmd/reg-apply cmd/reg-approve cmd/reg-merge cmd/reg-issue cmd/reg-seal tests/mknotices; do
	[ -x "$build/$tool" ] || die "no $build/$tool: build first (meson setup build && ninja -C build)"
done
for tool in rsvg-convert tar fc-list; do
	command -v "$tool" >/dev/null || die "needs $tool (apt-get install librsvg2-bin tar fontconfig)"
done
fc-list :lang=zh family | grep -q . ||
	die "no CJK font installed (apt-get install fonts-arphic-uming fonts-arphic-ukai fonts-noto-cjk)"

export REG_DATADIR="$src" LC_ALL=C.UTF-8 TZ=UTC
unset REG_DB REG_CATALOG REG_AUTHORITY SOURCE_DATE_EPOCH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

png() { # SVG PNG — true size at 10 pixels per millimetre
	rsvg-convert --dpi-x 254 --dpi-y 254 --background-color white -o "$2" "$1"
}

issue() { # CSV REGISTRY OUT — the whole pipeline; the issued lines on standard output
	"$bin/reg-apply" --db "$2" --now "$NOW" "$1" |
		"$bin/reg-approve" --db "$2" --now "$NOW" --all |
		"$bin/reg-merge" --db "$2" --now "$NOW" |
		"$bin/reg-issue" --db "$2" --now "$NOW" -o "$3"
}
issue "$src/fixtures/apps.csv" "$tmp/reg.db" "$tmp/out" >"$tmp/issued.tsv"
first=$(head -n 1 "$tmp/issued.tsv" | cut -f1)
[ "$first" = "$USCC" ] || die "the first archive is '$first', not $USCC"
mkdir "$tmp/x"
tar -xzf "$tmp/out/$USCC.tar.gz" -C "$tmp/x"
grep -q "<name>$NAME</name>" "$tmp/x/$USCC/license.xml" || die "$USCC is not $NAME"

mkdir -p "$img"
# The license, 1200 pixels wide (A4 landscape: 297 mm, so about 4 pixels per millimetre).
rsvg-convert -w 1200 --background-color white -o "$img/license.png" "$tmp/x/$USCC/license.svg"
for svg in "$tmp/x/$USCC/seals/"*.svg; do
	png "$svg" "$img/seal-$(basename "$svg" .svg).png"
done

# A specimen, and a long name of a joint-stock company (42 mm, the arc at its widest).
"$bin/reg-seal" --specimen --name "$NAME" --legal-rep "$REP" -o "$tmp/specimen" >/dev/null
png "$tmp/specimen/specimen/seals/01-official.svg" "$img/seal-specimen-01-official.png"
"$bin/reg-seal" --specimen --form jsc --name "$LONG" --legal-rep 阿依古丽 -o "$tmp/long" >/dev/null
png "$tmp/long/specimen/seals/01-official.svg" "$img/seal-long-01-official.png"
png "$tmp/long/specimen/seals/03-invoice.svg" "$img/seal-long-03-invoice.png"
"$bin/reg-seal" --specimen --name "$LONGEST" --legal-rep "$PERSON30" -o "$tmp/longest" >/dev/null
png "$tmp/longest/specimen/seals/01-official.svg" "$img/seal-longest-01-official.png"
png "$tmp/longest/specimen/seals/03-invoice.svg" "$img/seal-longest-03-invoice.png"
png "$tmp/longest/specimen/seals/05-legal-rep.svg" "$img/seal-person-30.png"
"$bin/reg-seal" --specimen --name "$NAME" --legal-rep "$PERSON10" -o "$tmp/person" >/dev/null
png "$tmp/person/specimen/seals/05-legal-rep.svg" "$img/seal-person-10.png"
# The set filed again by reg-seal with the shipped test authority: the same codes, marked 样本 TEST.
"$bin/reg-seal" --db "$tmp/reg.db" --now "$NOW" --name "$NAME" --legal-rep "$REP" --uscc "$USCC" \
	-o "$tmp/test" >/dev/null
png "$tmp/test/$USCC/seals/01-official.svg" "$img/seal-test-01-official.png"

# The longest license: page 1 and the first continuation sheet.
issue "$src/fixtures/apps-longest.csv" "$tmp/longest.db" "$tmp/longest-out" >"$tmp/longest.tsv"
longest=$(cut -f1 "$tmp/longest.tsv")
mkdir "$tmp/y"
tar -xzf "$tmp/longest-out/$longest.tar.gz" -C "$tmp/y"
rsvg-convert -w 1200 --background-color white -o "$img/license-longest-1.png" \
	"$tmp/y/$longest/license.svg"
rsvg-convert -w 1200 --background-color white -o "$img/license-longest-2.png" \
	"$tmp/y/$longest/license-2.svg"

# The notices, and the second sheet of a long one by the test authority.
"$build/tests/mknotices" "$tmp/notices" >/dev/null
for kind in acceptance onetime-supplement onetime-refusal rejection slip-reminder slip-urging \
	slip-supervision slip-transfer overdue; do
	rsvg-convert -w 700 --background-color white -o "$img/notice-$kind.png" \
		"$tmp/notices/$kind.svg"
done
"$build/tests/mknotices" --long --test-authority "$tmp/long-notices" >/dev/null
rsvg-convert -w 700 --background-color white -o "$img/notice-long-acceptance-2.png" \
	"$tmp/long-notices/acceptance-2.svg"

ls -l "$img"/license*.png "$img"/seal-*.png "$img"/notice-*.png
