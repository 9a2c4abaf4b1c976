#!/bin/bash
# t0540 — what regkit prints, rendered as a print shop or a browser would: every notice, the
# license (one sheet, and that of fixtures/apps-longest.csv with its continuation sheets) and the
# seals through rsvg-convert (librsvg2-bin) to PNG, and the sheets of a document to one PDF of as
# many A4 pages.
. "$(dirname "$0")/lib.sh"

if ! command -v rsvg-convert >/dev/null; then
	echo "1..0 # SKIP rsvg-convert not installed (librsvg2-bin: sh scripts/bootstrap test)"
	exit 0
fi
MKNOTICES=$REG_BUILD_DIR/tests/mknotices
NOW=2026-11-23T10:00:00+08:00

# png_size FILE — "WIDTHxHEIGHT" of a PNG, after checking its signature.
png_size() {
	python3 - "$1" <<-\PY
	import struct, sys
	data = open(sys.argv[1], "rb").read(32)
	if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
	    sys.exit("%s: not a PNG" % sys.argv[1])
	print("%dx%d" % struct.unpack(">II", data[16:24]))
	PY
}

# render SIZE SVG… — each SVG to a PNG beside it at 96 dpi, non-empty and SIZE pixels.
render() {
	local want=$1 svg size
	shift
	for svg in "$@"; do
		rsvg-convert -b white -o "${svg%.svg}.png" "$svg" &&
		test -s "${svg%.svg}.png" &&
		size=$(png_size "${svg%.svg}.png") &&
		{ test "$size" = "$want" || { echo "$svg: $size, not $want"; return 1; }; } || return 1
	done
}

# pdf_pages PDF — the number of pages, and each must be BOX (points).
pdf_pages() {
	python3 - "$1" "$2" <<-\PY
	import re, sys
	data = open(sys.argv[1], "rb").read()
	pages = re.findall(rb"/Type\s*/Page[^s]", data)
	boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", data))
	want = tuple(sys.argv[2].split("x"))
	for w, h in boxes:
	    if (round(float(w)), round(float(h))) != (round(float(want[0])), round(float(want[1]))):
	        sys.exit("page of %s x %s points, not %s" % (w.decode(), h.decode(), sys.argv[2]))
	print(len(pages))
	PY
}

# The sheets of document NAME in DIR, in order.
sheets() {
	local dir=$1 name=$2 k=2
	echo "$dir/$name.svg"
	while [ -e "$dir/$name-$k.svg" ]; do
		echo "$dir/$name-$k.svg"
		k=$((k + 1))
	done
}

test_expect_success 'every notice renders to a non-empty A4 portrait PNG' '
	"$MKNOTICES" notices >list &&
	test "$(wc -l <list)" -ge 9 &&
	for kind in acceptance onetime-supplement onetime-refusal rejection slip-reminder \
		slip-urging slip-supervision slip-transfer overdue; do
		grep -qx "notices/$kind.svg" list || { echo "no $kind"; exit 1; }
	done &&
	render 794x1123 $(cat list)
'

test_expect_success 'long notices of a test authority: every sheet renders, one PDF page each' '
	"$MKNOTICES" --long --test-authority notices >list &&
	render 794x1123 $(cat list) &&
	for kind in acceptance onetime-supplement rejection slip-transfer overdue; do
		sheets notices $kind >mine &&
		n=$(wc -l <mine) && test "$n" -ge 2 &&
		rsvg-convert -f pdf -o $kind.pdf $(cat mine) &&
		test "$(pdf_pages $kind.pdf 595x842)" = "$n" || exit 1
	done &&
	grep -q "样本" notices/acceptance-2.svg
'

test_expect_success 'the license and seals of a real issuance render at true size' '
	reg-apply --db r.db --now "$NOW" "$FIXTURES/apps.csv" | reg-approve --db r.db --now "$NOW" --all |
		reg-merge --db r.db --now "$NOW" | reg-issue --db r.db --now "$NOW" -o out >issued.tsv &&
	uscc=$(head -n 1 issued.tsv | cut -f1) &&
	mkdir x && bsdtar -xzf out/$uscc.tar.gz -C x &&
	test ! -e x/$uscc/license-2.svg &&
	render 1123x794 x/$uscc/license.svg &&
	render 152x152 x/$uscc/seals/01-official.svg &&
	render 152x114 x/$uscc/seals/03-invoice.svg
'

test_expect_success 'the longest values the window accepts: the license, its continuation sheets, one PDF' '
	reg-apply --db r.db --now "$NOW" "$FIXTURES/apps-longest.csv" |
		reg-approve --db r.db --now "$NOW" --all | reg-merge --db r.db --now "$NOW" |
		reg-issue --db r.db --now "$NOW" -o out >issued.tsv &&
	uscc=$(cut -f1 issued.tsv) &&
	mkdir x && bsdtar -xzf out/$uscc.tar.gz -C x &&
	sheets x/$uscc license >mine &&
	n=$(wc -l <mine) && test "$n" -ge 3 &&
	render 1123x794 $(cat mine) &&
	rsvg-convert -f pdf -o license.pdf $(cat mine) &&
	test "$(pdf_pages license.pdf 842x595)" = "$n" &&
	grep -q "营业执照（续页）" x/$uscc/license-2.svg &&
	! grep -q "…" $(cat mine) &&
	render 152x152 x/$uscc/seals/01-official.svg &&
	render 76x76 x/$uscc/seals/05-legal-rep.svg &&
	test "$(grep -c "class=\"name\"" x/$uscc/seals/05-legal-rep.svg)" = 30 &&
	reg-verify --db r.db out/$uscc.tar.gz >/dev/null
'

test_done
