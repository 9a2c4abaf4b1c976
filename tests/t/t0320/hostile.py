#!/usr/bin/env python3
"""hostile.py — records with absurdly long lists, for t0320 (stdout; Python standard library).

    hostile.py csv-materials N     fixtures/apps.csv's header and first row, N unknown materials
    hostile.py materials N         fixtures/apps.xml's first dossier with N more <material>s
    hostile.py shareholders N      that dossier as a joint-stock company of N shareholders whose
                                   citizen ids are well formed but fail their check character
    hostile.py approvals N FILE    the accepted dossier FILE with N bogus <approval>s
"""
import csv
import io
import sys

FIXTURES = __file__.rsplit("/tests/", 1)[0] + "/fixtures"


def first_dossier():
    text = open(FIXTURES + "/apps.xml", encoding="utf-8").read()
    start = text.index("<dossier>")
    end = text.index("</dossier>") + len("</dossier>")
    return text[start:end].replace("<dossier>", '<dossier xmlns="urn:regkit:dossier:1">', 1)


def document(dossier):
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + dossier + "\n"


def citizen_id_failing_check(i):
    """17 digits of a real birth date and any check character but the right one."""
    body = "150302%04d%02d%02d%03d" % (1950 + i % 50, 1 + i % 12, 1 + i % 28, i % 1000)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    right = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + ("0" if right != "0" else "1")


def main():
    kind, n = sys.argv[1], int(sys.argv[2])
    out = sys.stdout
    if kind == "csv-materials":
        rows = list(csv.reader(io.StringIO(open(FIXTURES + "/apps.csv", encoding="utf-8").read())))
        header, row = rows[0], rows[1]
        row[header.index("materials")] = ";".join("m%d" % i for i in range(n))
        w = csv.writer(out, lineterminator="\n")
        w.writerow(header)
        w.writerow(row)
    elif kind == "materials":
        more = "".join('<material type="m%d"/>\n' % i for i in range(n))
        out.write(document(first_dossier().replace("</materials>", more + "</materials>")))
    elif kind == "shareholders":
        d = first_dossier()
        start = d.index("<shareholders>")
        end = d.index("</shareholders>") + len("</shareholders>")
        people = "".join(
            "<shareholder><name>张伟</name><citizen-id>%s</citizen-id><share>1</share>"
            "</shareholder>\n" % citizen_id_failing_check(i) for i in range(n))
        d = d[:start] + "<shareholders>\n" + people + "</shareholders>" + d[end:]
        d = d.replace("乌海市恒泰商贸有限公司", "乌海市恒泰商贸股份有限公司")
        d = d.replace("<form>llc</form>", "<form>jsc</form>")
        out.write(document(d))
    elif kind == "approvals":
        text = open(sys.argv[3], encoding="utf-8").read()
        bogus = "".join(
            '<approval item="i%d" dept="tax" verdict="approved" reviewer="x" '
            'time="2026-11-23T10:00:00+08:00" body-digest="%s"/>\n' % (i, "0" * 64)
            for i in range(n))
        out.write(text.replace("</dossier>", "<approvals>\n" + bogus + "</approvals>\n</dossier>"))
    else:
        sys.exit("unknown kind " + kind)


main()
