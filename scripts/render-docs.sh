#!/bin/sh
# render-docs.sh — regenerate the seal pictures of docs/seals.md (docs/img/seal-*.png) with the
# built reg-seal and rsvg-convert, at 10 pixels per millimetre on white.
#
#   scripts/render-docs.sh [BUILD_DIR]      (default: build)
#
# Needs rsvg-convert (librsvg2-bin), sqlite3 and CJK fonts (fonts-arphic-uming,
# fonts-arphic-ukai, fonts-noto-cjk); none of them is needed to build or test regkit.  The fixture
# enterprise gets real seal codes from a throw-away registry in which its USCC is recorded as
# issued (written with sqlite3, as reg-issue would record it), so the pictures show codes.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
seal=$build/cmd/reg-seal
img=$src/docs/img

NAME=乌海市恒泰商贸有限公司
USCC=91150302MA0000015Y
REP=张伟
LONG=内蒙古自治区乌海市海勃湾区恒泰商贸物流信息咨询服务股份有限公司
NOW=2026-11-23T10:00:00+08:00

die() {
	echo "render-docs.sh: $*" >&2
	exit 1
}
[ -x "$seal" ] || die "no $seal: build first (meson setup build && ninja -C build)"
for tool in rsvg-convert sqlite3 fc-list; do
	command -v "$tool" >/dev/null || die "needs $tool (apt-get install librsvg2-bin sqlite3 fontconfig)"
done
fc-list :lang=zh family | grep -q . ||
	die "no CJK font installed (apt-get install fonts-arphic-uming fonts-arphic-ukai fonts-noto-cjk)"

export REG_DATADIR="$src" LC_ALL=C.UTF-8 TZ=UTC
unset REG_DB REG_CATALOG REG_AUTHORITY SOURCE_DATE_EPOCH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

png() { # SVG PNG
	rsvg-convert --dpi-x 254 --dpi-y 254 --background-color white -o "$2" "$1"
}

# The registry: created by a first (refused) run, then the USCC recorded as issued.
"$seal" --db "$tmp/reg.db" --now "$NOW" --name "$NAME" --legal-rep "$REP" --uscc "$USCC" \
	-o "$tmp/refused" >/dev/null 2>&1 || true
sqlite3 "$tmp/reg.db" "INSERT INTO dossiers (number, name, authority, state, accepted_at,
	body_digest, body) VALUES ('150302-20261123-000001', '$NAME', '150302', 'issued',
	1795399200, '$(printf '0%.0s' $(seq 64))', '<dossier/>');
	INSERT INTO issuances (number, uscc, issued_at)
	VALUES ('150302-20261123-000001', '$USCC', 1795399200);"

mkdir -p "$img"
"$seal" --db "$tmp/reg.db" --now "$NOW" --name "$NAME" --legal-rep "$REP" --uscc "$USCC" \
	-o "$tmp/set" >/dev/null
for svg in "$tmp/set/$USCC/seals/"*.svg; do
	png "$svg" "$img/seal-$(basename "$svg" .svg).png"
done

# A specimen, and a long name of a joint-stock company (42 mm, the arc at its widest).
"$seal" --specimen --name "$NAME" --legal-rep "$REP" -o "$tmp/specimen" >/dev/null
png "$tmp/specimen/specimen/seals/01-official.svg" "$img/seal-specimen-01-official.png"
"$seal" --specimen --form jsc --name "$LONG" --legal-rep 阿依古丽 -o "$tmp/long" >/dev/null
png "$tmp/long/specimen/seals/01-official.svg" "$img/seal-long-01-official.png"
png "$tmp/long/specimen/seals/03-invoice.svg" "$img/seal-long-03-invoice.png"

ls -l "$img"/seal-*.png
