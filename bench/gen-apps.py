#!/usr/bin/env python3
"""gen-apps.py — write N valid, distinct applications as a reg-apply CSV batch (bench/).

    python3 bench/gen-apps.py 100000 > apps.csv
    python3 bench/gen-apps.py --seed 7 --today 2026-11-23 -o apps.csv 20000

Every row is meant to be accepted by `reg-apply --now <today>T09:00:00+08:00` into an empty
registry of the shipped test authority (乌海市海勃湾区, 150302):

  - names 乌海市 + 字号 + 行业 + 有限公司, all distinct: row i takes its industry profile from
    i mod 4 and its 字号 from the digits, in base len(SYLLABLES), of a fixed permutation of
    i div 4: three syllables (four once three no longer suffice), so N rows have N different
    names; the syllables are plain characters that form no division name or restricted word;
  - only trades from fixtures/apps.csv whose scope makes no filing item (7-20) apply, so the
    eight base materials are all an application needs;
  - citizen ids with a real birth date (adults: born 1950-2004) and the GB 11643 / ISO 7064
    MOD 11-2 check character;
  - one to three natural-person shareholders whose shares (exact hundredths) sum to 100;
  - materials sighted at the window (no files), and for every fourth row the premises proof
    and appointment deferred by commitments due 20 days after --today.

Python 3 standard library only; the output is deterministic for a given seed and N, streamed
row by row (flat memory), UTF-8 with LF line ends and the canonical English header.
"""

import argparse
import csv
import datetime
import random
import sys

HEADER = [
    "name", "form", "capital", "division", "address", "scope", "industry",
    "legal_rep_name", "legal_rep_id", "legal_rep_phone", "shareholders",
    "finance_officer_name", "finance_officer_id", "staff", "contact_phone",
    "materials", "commitments",
]

# 字号 syllables: characters that start no division name of the shipped GB/T 2260 table (no 东
# 西 南 北 新 兴 和 安 宁 华 乌 海 …) and make no restricted word in any order.
SYLLABLES = (
    "恒泰鑫盛瑞祥昌隆宏锦辉嘉宇腾悦诚顺福乐美佳豪富德益晟骏铭润森航卓"
    "君朗远峰鼎振亿聚荣旺"
)

# (industry word in the name, GB/T 4754 code, business scope): trades of fixtures/apps.csv
# that no filing item of the shipped catalog applies to.
PROFILES = (
    ("商贸", "F5211", "日用百货销售；五金产品零售；文具用品零售"),
    ("装饰工程", "E5012", "住宅室内装饰装修；建筑装饰材料销售；家具安装和维修服务"),
    ("财务咨询", "L7241", "代理记账；财务咨询；税务服务；企业管理咨询"),
    ("物业服务", "K7020", "物业管理；家政服务；停车场服务；城市绿化管理"),
)

BASE_MATERIALS = ("application-form", "articles", "shareholder-id", "legal-rep-id",
                  "name-declaration", "agent-authority")
DEFERRABLE = ("premises-proof", "appointment")

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志文斌宏"
STREETS = ("新华大街", "海北大街", "黄河东街", "林荫北路", "团结路", "人民路", "滨河大道", "千里山路")
# Birthplaces of the ids: divisions of Wuhai in the shipped table.
ID_DIVISIONS = ("150302", "150303", "150304", "150300")

ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
ID_CHECK = "10X98765432"


def citizen_id(rng):
    """A GB 11643 citizen id of an adult: real birth date 1950-2004, MOD 11-2 check."""
    first = datetime.date(1950, 1, 1).toordinal()
    last = datetime.date(2004, 12, 31).toordinal()
    born = datetime.date.fromordinal(rng.randint(first, last))
    body = "%s%s%03d" % (rng.choice(ID_DIVISIONS), born.strftime("%Y%m%d"), rng.randint(1, 999))
    total = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS))
    return body + ID_CHECK[total % 11]


def person(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def shares(rng, n):
    """n shares in hundredths of a percent, each > 0, summing to exactly 100.00."""
    cuts = sorted(rng.sample(range(1, 10000), n - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [10000])]
    return ["%d.%02d" % (p // 100, p % 100) for p in parts]


def trade_name(k, width):
    """The k-th 字号 of `width` syllables (k < len(SYLLABLES) ** width).  k is first mapped
    through a permutation of range(len(SYLLABLES) ** width) (multiplying by a prime that does
    not divide the modulus is a bijection), so neighbouring rows do not share their first
    syllables; distinct k still give distinct names."""
    k = (k * 7919 + 12345) % len(SYLLABLES) ** width
    chars = []
    for _ in range(width):
        k, digit = divmod(k, len(SYLLABLES))
        chars.append(SYLLABLES[digit])
    return "".join(reversed(chars))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("count", type=int, help="number of applications (rows)")
    ap.add_argument("-o", "--output", help="write here instead of standard output")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--today", default="2026-11-23",
                    help="acceptance date the commitments are counted from (default 2026-11-23)")
    args = ap.parse_args()
    if args.count < 0:
        ap.error("count must not be negative")

    rng = random.Random(args.seed)
    due = (datetime.date.fromisoformat(args.today) + datetime.timedelta(days=20)).isoformat()
    per_profile = -(-args.count // len(PROFILES))
    width = 3
    while len(SYLLABLES) ** width < per_profile:
        width += 1

    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for i in range(args.count):
        industry_word, industry, scope = PROFILES[i % len(PROFILES)]
        name = "乌海市%s%s有限公司" % (trade_name(i // len(PROFILES), width), industry_word)
        rep_name, rep_id = person(rng), citizen_id(rng)
        holders = [(rep_name, rep_id)]
        for _ in range(rng.randint(0, 2)):
            holders.append((person(rng), citizen_id(rng)))
        split = shares(rng, len(holders))
        officer_name, officer_id = (person(rng), citizen_id(rng)) if i % 3 else ("", "")
        materials = list(BASE_MATERIALS)
        commitments = ""
        if i % 4 == 3:
            commitments = ";".join("%s@%s" % (m, due) for m in DEFERRABLE)
        else:
            materials += DEFERRABLE
        w.writerow([
            name, "llc", "%d" % (rng.randint(10, 5000) * 10000), "150302",
            "乌海市海勃湾区%s%d号" % (rng.choice(STREETS), rng.randint(1, 999)),
            scope, industry, rep_name, rep_id, "139%08d" % rng.randint(0, 99999999),
            ";".join("%s:%s:%s" % (n, c, s) for (n, c), s in zip(holders, split)),
            officer_name, officer_id, str(rng.randint(1, 200)),
            "0473-%07d" % rng.randint(0, 9999999) if i % 5 else "",
            ";".join(materials), commitments,
        ])
    if out is not sys.stdout:
        out.close()
    else:
        out.flush()


if __name__ == "__main__":
    main()
