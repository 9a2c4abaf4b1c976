#!/usr/bin/env python3
"""gen-divisions.py TSV OUT.c — compile the GB/T 2260 table (schemas/divisions.tsv) into C.

The TSV is the single source of truth: `code<TAB>name` per line, the short name as the standard
writes it ("海勃湾区"); an optional header line `code<TAB>name` (the first line that is not blank
or a comment), blank lines and lines starting with '#' are ignored.  The output is the table
libreg/ids.c searches by binary search: sorted by code, with the full name composed from the
hierarchy ("内蒙古自治区乌海市海勃湾区"), and an index of it in the order of the short names, for
finding a division by its name by binary search too.  docs/divisions.md says where the data
comes from and how to update it.

The hierarchy is read from the code (docs/divisions.md, "Special cases"):
  - XX0000 a province-level division, XXYY00 a prefecture-level one, anything else a county.
  - A county sits under its prefecture XXYY00, which must be in the table, except where the
    standard has no prefecture: the counties of a municipality (a province-level division whose
    name ends in 市: 北京市朝阳区, 重庆市城口县) and the county-level divisions under the
    province itself, whose prefecture digits are 90 (省直辖县级行政区划 429004 → 湖北省仙桃市,
    自治区直辖县级行政区划 659001 → 新疆维吾尔自治区石河子市).  Their full name is the
    province's followed by their own.
  - A prefecture-level city without districts (441900 东莞市) is an ordinary prefecture that
    happens to have no counties: 广东省东莞市.

Anything doubtful stops the build with FILE:LINE: message, so a bad edit never ships: a code
that is not 6 digits or has no province (00xxxx), a duplicate code, an empty name or one holding
control characters, a placeholder of the standard given as a division (市辖区, 县,
省直辖县级行政区划, 自治区直辖县级行政区划: older editions list them, but they name no place and
no authority can sit there), a county whose province is missing, or whose prefecture is missing
where the standard has one, a prefecture under a municipality.
"""
import os
import sys

# Rows of older editions of GB/T 2260 that stand for "no prefecture level": not divisions.
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

# Prefecture digits of the county-level divisions directly under a province or autonomous region.
DIRECTLY_UNDER_PROVINCE = "90"


def fail(where, msg):
    sys.stderr.write("gen-divisions: %s: %s\n" % (where, msg))
    sys.exit(1)


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_table(src):
    names = {}
    lines = {}
    header_allowed = True
    with open(src, encoding="utf-8") as fp:
        for lineno, raw in enumerate(fp, 1):
            where = "%s:%d" % (src, lineno)
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 2:
                fail(where, "expected 2 tab-separated fields, got %d" % len(fields))
            code, name = fields[0].strip(), fields[1].strip()
            if header_allowed and code == "code" and name == "name":
                header_allowed = False
                continue
            header_allowed = False
            if len(code) != 6 or not code.isascii() or not code.isdigit():
                fail(where, "code '%s' is not 6 digits" % code)
            if code[:2] == "00":
                fail(where, "code '%s' has no province" % code)
            if not name or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
                fail(where, "empty name or control character in the name of %s" % code)
            if name in PLACEHOLDERS:
                fail(where, "'%s' (%s) is a placeholder of the standard, not a division: "
                     "leave the line out" % (name, code))
            if code in names:
                fail(where, "duplicate code %s (first on line %d)" % (code, lines[code]))
            names[code] = name
            lines[code] = lineno
    return names, lines


def main():
    if len(sys.argv) != 3:
        fail("usage", "gen-divisions.py TSV OUT.c")
    src, out = sys.argv[1], sys.argv[2]
    names, lines = read_table(src)

    def full(code):
        prov, pref = code[:2] + "0000", code[:4] + "00"
        where = "%s:%d" % (src, lines[code])
        if code == prov:
            return names[code]
        if prov not in names:
            fail(where, "province %s of %s is not in the table" % (prov, code))
        municipality = names[prov].endswith("市")
        if code == pref:
            if municipality:
                fail(where, "prefecture %s under the municipality %s: its districts and "
                     "counties belong directly to %s" % (code, names[prov], prov))
            return names[prov] + names[code]
        if pref in names:
            return names[prov] + names[pref] + names[code]
        if municipality or code[2:4] == DIRECTLY_UNDER_PROVINCE:
            return names[prov] + names[code]
        fail(where, "prefecture %s of %s is not in the table" % (pref, code))

    # Every name is composed before OUT.c is opened: a refused table leaves no output behind.
    rows = [(code, names[code], full(code)) for code in sorted(names)]
    if len(rows) > 0xFFFF:
        fail(src, "%d divisions: the name index holds 65535" % len(rows))
    # One pool of the full names, each ended by NUL; an entry holds its full name's offset and
    # where its short name, always the tail of the full one, starts.  Offsets rather than
    # pointers: 6 000 pointers would each need a relocation in a position-independent binary.
    entries = []
    offset = 0
    for code, name, whole in rows:
        prefix = len(whole.encode("utf-8")) - len(name.encode("utf-8"))
        if not whole.endswith(name) or prefix > 0xFF:
            fail(src, "the full name of %s does not end in its short name" % code)
        entries.append((code, offset, prefix))
        offset += len(whole.encode("utf-8")) + 1
    # The name index: positions in rows, in the byte order of the UTF-8 short names (what
    # memcmp in ids.c compares), ties by code.
    by_name = sorted(range(len(rows)), key=lambda i: (rows[i][1].encode("utf-8"), rows[i][0]))
    with open(out, "w", encoding="utf-8") as fp:
        fp.write("/* Generated by scripts/gen-divisions.py from %s: do not edit. */\n"
                 % os.path.basename(src).replace("*/", "* /"))
        fp.write('#include "divisions.h"\n\n')
        fp.write("/* One string of %d bytes: longer than C's minimum limit, within GCC's and "
                 "clang's. */\n" % offset)
        fp.write('#pragma GCC diagnostic ignored "-Woverlength-strings"\n')
        fp.write("const char reg_division_names[] =\n")
        for code, name, whole in rows:
            fp.write("\t%s \"\\0\"  /* %s */\n" % (c_string(whole), code))
        fp.write("\t;\n\n")
        fp.write("const struct reg_division reg_divisions[] = {\n")
        for code, at, prefix in entries:
            fp.write("\t{%s, %d, %d},\n" % (c_string(code), prefix, at))
        fp.write("};\n\n")
        fp.write("const size_t reg_divisions_count = %d;\n\n" % len(rows))
        fp.write("const uint16_t reg_divisions_by_name[] = {\n")
        for start in range(0, len(by_name), 12):
            fp.write("\t%s,\n" % ", ".join(str(i) for i in by_name[start:start + 12]))
        fp.write("};\n")

if __name__ == "__main__":
    main()
