#!/usr/bin/env python3
"""gen-fixtures — regenerate and check regkit's application fixtures.

fixtures/apps.csv is the source (20 applications, edited by hand).  This script, with the
system python3 and no third-party module:

  1. checks apps.csv and apps-zh-header.csv: every row must pass the window checks below
     (valid citizen ids and USCCs, shares summing to exactly 100, names, materials, commitments,
     the catalog's material needs), plus the fixture policy (Haibowan 150302, adults born
     1960-2000, realistic phones, capital 100 000 - 50 000 000);
  2. writes fixtures/apps-gbk.csv (the same text in GBK; the line ends stay CRLF) and
     fixtures/apps.xml (the same applications as a <batch> of partial dossiers, hrefs relative
     to fixtures/, sha256 of each material file), then reads apps.xml back and checks it says
     what apps.csv says, and validates it with `xmllint --schema schemas/dossier.xsd` when
     xmllint is installed;
  3. checks every negative fixture in fixtures/bad/ against the table in fixtures/bad/README.md:
     exactly the one expected problem, at the expected line and field, and nothing else.

    scripts/gen-fixtures.py            regenerate, then check everything
    scripts/gen-fixtures.py --check    check only (apps.xml and apps-gbk.csv must be current)

The checks here are the fixtures' own guard, written from docs/identifiers.md and
docs/formats.md; they are not reg-apply and do not define it.  Exit status 0 when all is well,
1 otherwise.
"""

import argparse
import csv
import datetime
import decimal
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import xml.parsers.expat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, 'fixtures')
SCHEMAS = os.path.join(ROOT, 'schemas')

# the demo's --now 2026-11-23T09:00:00+08:00: ages and commitment limits are counted from it
NOW = datetime.date(2026, 11, 23)
AREA = {'150302'}                     # fixtures/authority/authority.xml <area>
NS = 'urn:regkit:dossier:1'

COLUMNS = ['name', 'form', 'capital', 'division', 'address', 'scope', 'industry',
           'legal_rep_name', 'legal_rep_id', 'legal_rep_phone', 'shareholders',
           'finance_officer_name', 'finance_officer_id', 'staff', 'contact_phone',
           'materials', 'commitments', 'requests']
OPTIONAL = {'legal_rep_phone', 'finance_officer_name', 'finance_officer_id', 'staff',
            'contact_phone', 'commitments', 'requests'}
# Chinese header aliases (fixtures/README.md lists the same table for reg-apply(1))
ALIASES = {
    '企业名称': 'name', '组织形式': 'form', '注册资本': 'capital', '行政区划': 'division',
    '住所': 'address', '经营范围': 'scope', '行业代码': 'industry', '法定代表人': 'legal_rep_name',
    '法定代表人身份证号': 'legal_rep_id', '法定代表人电话': 'legal_rep_phone', '股东': 'shareholders',
    '财务负责人': 'finance_officer_name', '财务负责人身份证号': 'finance_officer_id',
    '从业人数': 'staff', '联系电话': 'contact_phone', '材料': 'materials', '承诺': 'commitments',
    '申请事项': 'requests',
}
# where each column lands in a dossier (for XML fixtures and for messages)
PATHS = {
    'name': '/dossier/enterprise/name', 'form': '/dossier/enterprise/form',
    'capital': '/dossier/enterprise/capital', 'division': '/dossier/enterprise/address/@division',
    'address': '/dossier/enterprise/address', 'scope': '/dossier/enterprise/scope',
    'industry': '/dossier/enterprise/scope/@industry',
    'legal_rep_name': '/dossier/enterprise/legal-representative/name',
    'legal_rep_id': '/dossier/enterprise/legal-representative/citizen-id',
    'legal_rep_phone': '/dossier/enterprise/legal-representative/phone',
    'shareholders': '/dossier/enterprise/shareholders',
    'finance_officer_name': '/dossier/enterprise/financial-officer/name',
    'finance_officer_id': '/dossier/enterprise/financial-officer/citizen-id',
    'staff': '/dossier/enterprise/staff', 'contact_phone': '/dossier/enterprise/contact/phone',
    'materials': '/dossier/materials', 'commitments': '/dossier/commitments',
    'requests': '/dossier/requests',
}
FORMS = {'llc', 'jsc', 'sole', 'partnership'}
RESTRICTED = ['中国', '中华', '全国', '国家', '中央', '国际']
USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
USCC_PAIRS = {'1': '1239', '2': '19', '3': '123459', '4': '19', '5': '1239', '6': '129',
              '7': '129', '8': '19', '9': '123', 'A': '19', 'N': '1239', 'Y': '1'}


class FormatError(Exception):
    """the input is not readable as CSV / XML at all (reg-apply: exit 65)"""

    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


# ---------------------------------------------------------------- reference data

def load_divisions():
    table = {}
    with open(os.path.join(SCHEMAS, 'divisions.tsv'), encoding='utf-8') as f:
        for line in f:
            code, _, name = line.rstrip('\n').partition('\t')
            if code.isdigit():
                table[code] = name
    return table


def load_catalog():
    c = '{urn:regkit:catalog:1}'
    root = ET.parse(os.path.join(SCHEMAS, 'catalog.xml')).getroot()
    materials = {}
    for m in root.iter(c + 'material'):
        if m.get('id'):
            days = None
            if m.get('defer'):
                days = int(re.fullmatch(r'P(\d+)D', m.get('defer')).group(1))
            materials[m.get('id')] = (m.get('essential') == 'yes', days)
    items = []
    for it in root.iter(c + 'item'):
        must_supply = set()
        for req in it.findall(c + 'require'):
            text = ' '.join(req.text.split())
            for mat in re.findall(r"reg:has-material\('([^']+)'\)", text):
                if f"@material = '{mat}'" not in text:
                    must_supply.add(mat)
        items.append({
            'id': it.get('id'), 'number': it.get('number'),
            'applies': ' '.join(it.find(c + 'applies-if').text.split()),
            'uses': [u.get('material') for u in it.findall(c + 'uses')],
            'must_supply': must_supply,
        })
    return materials, items


DIVISIONS = load_divisions()
PROVINCES = {code[:2] for code in DIVISIONS if code.endswith('0000')}
MATERIALS, ITEMS = load_catalog()
ITEM_BY_KEY = {}
for _it in ITEMS:
    ITEM_BY_KEY[_it['id']] = _it
    ITEM_BY_KEY[_it['number']] = _it


def applies(item, scope):
    """the catalog's applies-if, for the XPath subset it uses: true(), reg:scope-mentions(...),
    and, or, not()"""
    expr = re.sub(r"reg:scope-mentions\(([^)]*)\)",
                  lambda m: ' %s ' % any(w in scope for w in re.findall(r"'([^']*)'", m.group(1))),
                  item['applies'])
    expr = expr.replace('true()', 'True').replace('false()', 'False')
    if not re.fullmatch(r'[\sA-Za-z()]*', expr) or set(re.findall(r'[A-Za-z]+', expr)) - {
            'True', 'False', 'and', 'or', 'not'}:
        raise SystemExit(f'gen-fixtures: applies-if of {item["id"]} is beyond this script: '
                         f'{item["applies"]}')
    return eval(expr, {'__builtins__': {}})  # only True/False/and/or/not remain


# ---------------------------------------------------------------- identifiers

def citizen_id_problem(s):
    if not re.fullmatch(r'\d{17}[\dX]', s):
        return 'a citizen id is 17 digits and a check character'
    try:
        birth = datetime.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return f'birth date {s[6:14]} does not exist'
    if birth > NOW:
        return f'birth date {s[6:14]} is in the future'
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = '10X98765432'[sum(int(ch) * w for ch, w in zip(s, weights)) % 11]
    if s[17] != check:
        return f'wrong check character {s[17]!r}, expected {check!r}'
    return None


def age(s):
    birth = datetime.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    return NOW.year - birth.year - ((NOW.month, NOW.day) < (birth.month, birth.day))


def org_code_check(body8):
    value = lambda ch: int(ch) if ch.isdigit() else ord(ch) - ord('A') + 10
    r = 11 - sum(value(ch) * w for ch, w in zip(body8, [3, 7, 9, 10, 5, 8, 4, 2])) % 11
    return {10: 'X', 11: '0'}.get(r, str(r))


def uscc_problem(s):
    if len(s) != 18 or any(ch not in USCC_CHARSET for ch in s):
        return 'a USCC is 18 characters of 0-9 and A-Y without I O S V Z'
    if s[1] not in USCC_PAIRS.get(s[0], ''):
        return f'{s[:2]} is not a registration department and category'
    if not s[2:8].isdigit():
        return 'positions 3-8 must be a division code'
    if s[16] != org_code_check(s[8:16]):
        return 'the organization code inside fails its check'
    r = (31 - sum(USCC_CHARSET.index(ch) * pow(3, i, 31) for i, ch in enumerate(s[:17])) % 31) % 31
    if s[17] != USCC_CHARSET[r]:
        return f'wrong check character {s[17]!r}, expected {USCC_CHARSET[r]!r}'
    return None


def is_citizen_id(s):
    """a person if it looks like a citizen id from a GB/T 2260 province; else a company"""
    return bool(re.fullmatch(r'\d{17}[\dX]', s)) and s[:2] in PROVINCES


# ---------------------------------------------------------------- reading

def decode(data, encoding, path):
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data.count(b'\n', 0, e.start) + 1
        hint = ' (a GBK file? try --encoding gbk)' if encoding == 'utf-8' else ''
        raise FormatError(line, f'not valid {encoding.upper()}{hint}')


def read_csv(path, encoding='utf-8'):
    """[(start line, {column: value})]; raises FormatError"""
    with open(path, 'rb') as f:
        text = decode(f.read(), encoding, path)
    reader = csv.reader(io.StringIO(text, newline=''), strict=True)
    records, end = [], 0
    try:
        header = next(reader)
        end = reader.line_num
        columns = [ALIASES.get(h.strip(), h.strip()) for h in header]
        unknown = [h for h in columns if h not in COLUMNS]
        if unknown:
            raise FormatError(1, f'unknown column {unknown[0]!r}')
        missing = [c for c in COLUMNS if c not in OPTIONAL and c not in columns]
        if missing:
            raise FormatError(1, f'missing column {missing[0]!r}')
        for fields in reader:
            start, end = end + 1, reader.line_num
            if not fields:
                continue
            if len(fields) != len(columns):
                raise FormatError(start, f'{len(fields)} fields, the header has {len(columns)}')
            row = {c: '' for c in COLUMNS}
            row.update(zip(columns, fields))
            records.append((start, row))
    except csv.Error as e:
        raise FormatError(end + 1, f'not CSV: {e}')
    return records


def xml_lines(text):
    """{element path with positions (/dossier[1]/enterprise[1]/...): line}"""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=' ')
    stack, counts, lines = [], [{}], {}

    def start(name, attrs):
        local = name.split(' ')[-1]
        n = counts[-1][local] = counts[-1].get(local, 0) + 1
        stack.append(f'{local}[{n}]')
        counts.append({})
        lines['/' + '/'.join(stack)] = parser.CurrentLineNumber

    def end(name):
        stack.pop()
        counts.pop()

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(text.encode('utf-8'), True)
    except xml.parsers.expat.ExpatError as e:
        raise FormatError(e.lineno, f'not well-formed XML: {xml.parsers.expat.ErrorString(e.code)}')
    return lines


def read_xml(path):
    """[(line of <dossier>, row, {column: line})] from a <dossier> or <batch> file"""
    with open(path, 'rb') as f:
        text = decode(f.read(), 'utf-8', path)
    lines = xml_lines(text)
    root = ET.fromstring(text.encode('utf-8'))
    q = lambda tag: f'{{{NS}}}{tag}'
    dossiers = [root] if root.tag == q('dossier') else root.findall(q('dossier'))
    out = []
    for i, d in enumerate(dossiers, 1):
        base = '/dossier[1]' if root.tag == q('dossier') else f'/batch[1]/dossier[{i}]'
        e = d.find(q('enterprise'))
        t = lambda path: (e.findtext('/'.join(q(p) for p in path.split('/'))) or '').strip()
        row = {c: '' for c in COLUMNS}
        row.update(name=t('name'), form=t('form'), capital=t('capital'),
                   division=e.find(q('address')).get('division', ''), address=t('address'),
                   scope=t('scope'), industry=e.find(q('scope')).get('industry', ''),
                   legal_rep_name=t('legal-representative/name'),
                   legal_rep_id=t('legal-representative/citizen-id'),
                   legal_rep_phone=t('legal-representative/phone'),
                   finance_officer_name=t('financial-officer/name'),
                   finance_officer_id=t('financial-officer/citizen-id'),
                   staff=t('staff'), contact_phone=t('contact/phone'))
        holders = []
        for s in e.iter(q('shareholder')):
            ident = (s.findtext(q('citizen-id')) or s.findtext(q('uscc')) or '').strip()
            holders.append(f'{s.findtext(q("name")).strip()}:{ident}:{s.findtext(q("share")).strip()}')
        row['shareholders'] = ';'.join(holders)
        mats = []
        for m in d.iter(q('material')):
            mats.append(m.get('type') + (f'={m.get("href")}' if m.get('href') else ''))
            folder = os.path.realpath(os.path.dirname(path))
            full = os.path.realpath(os.path.join(folder, m.get('href') or '.'))
            if m.get('href') and full.startswith(folder + os.sep):   # never hash outside
                want = sha256_file(full)
                if want is not None and want != m.get('sha256'):
                    row.setdefault('_sha_mismatch', m.get('type'))
        row['materials'] = ';'.join(mats)
        row['commitments'] = ';'.join(f'{c.get("material")}@{c.get("due")}'
                                      for c in d.iter(q('commitment')))
        row['requests'] = ';'.join(r.get('item') for r in d.iter(q('request')))
        dossier_line = lines[base]
        where = {}
        for col, p in PATHS.items():
            steps = [x + '[1]' for x in p.split('/')[2:] if not x.startswith('@')]
            while steps and base + '/' + '/'.join(steps) not in lines:
                steps.pop()                      # absent element: report its nearest parent
            where[col] = lines[base + '/' + '/'.join(steps)] if steps else dossier_line
        out.append((dossier_line, row, where))
    return out


def sha256_file(path):
    try:
        with open(path, 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


# ---------------------------------------------------------------- the window checks

def dec_ok(s, digits):
    return re.fullmatch(r'\d{1,%d}(\.\d{1,2})?' % digits, s) is not None


def hundredths(s):
    whole, _, frac = s.partition('.')
    return int(whole) * 100 + int((frac + '00')[:2])


def check_row(row, base_dir, names_seen):
    """[(column, message)] — empty when the application passes"""
    p = []
    add = lambda col, msg: p.append((col, msg))
    for col in COLUMNS:
        if col not in OPTIONAL and not row[col].strip():
            add(col, 'required')
    name, form = row['name'], row['form']
    if name:
        if not all('\u4e00' <= ch <= '\u9fff' for ch in name):
            add('name', 'standard Chinese characters only')
        elif any(w in name for w in RESTRICTED):
            add('name', 'restricted word ' + next(w for w in RESTRICTED if w in name))
        elif form == 'llc' and (not re.search('(有限公司|有限责任公司)$', name) or name.endswith('股份有限公司')):
            add('name', 'a limited liability company name ends in 有限公司 or 有限责任公司')
        elif form == 'jsc' and not name.endswith('股份有限公司'):
            add('name', 'a joint-stock company name ends in 股份有限公司')
        elif not name.startswith('乌海市'):
            add('name', 'the name starts with the division (乌海市)')
        else:
            middle = re.sub('(股份有限公司|有限责任公司|有限公司)$', '', name[len('乌海市'):])
            if len(middle) < 4:
                add('name', 'a trade name of at least 2 characters and an industry are needed')
        if name in names_seen:
            add('name', f'same name as line {names_seen[name]}')
    if form and form not in FORMS:
        add('form', 'not one of llc jsc sole partnership')
    cap = row['capital']
    if cap and not (dec_ok(cap, 15) and hundredths(cap) > 0):
        add('capital', 'yuan, greater than 0, at most 2 decimals')
    div = row['division']
    if div:
        if div not in DIVISIONS:
            add('division', 'not a GB/T 2260 code')
        elif div not in AREA:
            add('division', 'outside the authority\'s area')
    if row['industry'] and not re.fullmatch(r'[A-T]\d{4}', row['industry']):
        add('industry', 'GB/T 4754: a section letter and 4 digits')
    for col in ('legal_rep_id', 'finance_officer_id'):
        if row[col]:
            why = citizen_id_problem(row[col])
            if why:
                add(col, why)
            elif col == 'legal_rep_id' and age(row[col]) < 18:
                add(col, 'the legal representative must be at least 18')
    if bool(row['finance_officer_name']) != bool(row['finance_officer_id']):
        add('finance_officer_id', 'name and id go together')
    for col in ('legal_rep_phone', 'contact_phone'):
        if row[col] and not re.fullmatch(r'1[3-9]\d{9}|0\d{2,3}-\d{7,8}', row[col]):
            add(col, 'not a phone number')
    if row['staff'] and not row['staff'].isdigit():
        add('staff', 'a non-negative integer')
    if row['shareholders']:
        total, ok = 0, True
        for part in row['shareholders'].split(';'):
            f = part.split(':')
            if len(f) != 3 or not all(f):
                add('shareholders', f'{part!r} is not name:identifier:share'); ok = False; break
            sname, ident, share = f
            why = citizen_id_problem(ident) if is_citizen_id(ident) else uscc_problem(ident)
            if why:
                add('shareholders', f'{sname}: {why}'); ok = False; break
            if not (dec_ok(share, 3) and 0 < hundredths(share) <= 10000):
                add('shareholders', f'{sname}: share is a percentage with at most 2 decimals'); ok = False; break
            total += hundredths(share)
        if ok and total != 10000:
            add('shareholders', f'shares sum to {total // 100}.{total % 100:02d}, not 100')
    # materials and commitments
    supplied, committed = {}, {}
    for part in filter(None, row['materials'].split(';')):
        mtype, _, rel = part.partition('=')
        if mtype not in MATERIALS:
            add('materials', f'unknown material {mtype}'); continue
        if mtype in supplied:
            add('materials', f'{mtype} twice'); continue
        if rel:
            full = os.path.realpath(os.path.join(base_dir, rel))
            if os.path.isabs(rel) or not full.startswith(os.path.realpath(base_dir) + os.sep):
                add('materials', f'{rel} leaves the input\'s folder'); continue
            if not os.path.isfile(full):
                add('materials', f'{rel}: no such file'); continue
        supplied[mtype] = rel
    for part in filter(None, row['commitments'].split(';')):
        mtype, _, due = part.partition('@')
        if mtype not in MATERIALS or MATERIALS[mtype][0]:
            add('commitments', f'{mtype} cannot be deferred'); continue
        try:
            d = datetime.date.fromisoformat(due)
        except ValueError:
            add('commitments', f'{due!r} is not a date'); continue
        limit = NOW + datetime.timedelta(days=MATERIALS[mtype][1])
        if not NOW < d <= limit:
            add('commitments', f'{mtype} due {due}: must fall after {NOW} and by {limit}'); continue
        if mtype in supplied:
            add('commitments', f'{mtype} is supplied and committed'); continue
        committed[mtype] = d
    requested = None
    if row['requests']:
        requested = set()
        for key in row['requests'].split(';'):
            if key not in ITEM_BY_KEY:
                add('requests', f'unknown item {key}')
            else:
                requested.add(ITEM_BY_KEY[key]['id'])
    if not any(col in ('materials', 'commitments') for col, _ in p):
        for item in ITEMS:
            if not applies(item, row['scope']) or (requested is not None and item['id'] not in requested):
                continue
            for mtype in item['uses'] + sorted(item['must_supply']):
                essential = MATERIALS[mtype][0] or mtype in item['must_supply']
                if mtype in supplied or (mtype in committed and not essential):
                    continue
                add('materials', f'{mtype} (for {item["id"]}) is neither supplied nor committed'
                    if not essential else f'{mtype} (for {item["id"]}) must be supplied')
                break
            else:
                continue
            break
    if row.get('_sha_mismatch'):
        add('materials', f'sha256 of {row["_sha_mismatch"]} does not match its file')
    return p


def policy(row):
    """what the shipped good fixtures promise beyond passing the window"""
    p = []
    add = lambda col, msg: p.append((col, msg))
    if row['division'] != '150302' or not row['address'].startswith('乌海市海勃湾区'):
        add('address', 'good fixtures are in 乌海市海勃湾区 (150302)')
    if not 1960 <= int(row['legal_rep_id'][6:10]) <= 2000:
        add('legal_rep_id', 'legal representatives are born 1960-2000')
    ids = [row['legal_rep_id'], row['finance_officer_id']] + [
        s.split(':')[1] for s in row['shareholders'].split(';')]
    for ident in filter(None, ids):
        if is_citizen_id(ident) and ident[:6] not in ('150302', '150303', '150304', '150102'):
            add('shareholders', f'{ident}: an Inner Mongolia prefix is expected')
    if not 100000 <= hundredths(row['capital']) / 100 <= 50000000:
        add('capital', 'capitals are 100 000 - 50 000 000')
    for col in ('legal_rep_phone', 'contact_phone'):
        if row[col] and not re.fullmatch(r'1[3-9]\d{9}|0473-\d{7}', row[col]):
            add(col, 'mobile or 0473 landline')
    try:
        row['name'].encode('gbk'); row['address'].encode('gbk'); row['scope'].encode('gbk')
    except UnicodeEncodeError:
        add('name', 'not representable in GBK')
    return p


def check_batch(records, base_dir, good):
    """records: [(line, row, {col: line} or None)] -> [(line, column, message)]"""
    problems, names = [], {}
    for line, row, where in records:
        found = check_row(row, base_dir, names)
        if good and not found:
            found = policy(row)
        for col, msg in found:
            problems.append((where[col] if where else line, col, msg))
        names.setdefault(row['name'], line)
    return problems


# ---------------------------------------------------------------- writing

def esc(s, attr=False):
    s = s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    return s.replace('"', '&quot;') if attr else s


def two_decimals(s):
    return str(decimal.Decimal(s).quantize(decimal.Decimal('0.01')))


def dossier_xml(row, base_dir, indent='  '):
    """one partial dossier (no state, no acceptance), two-space indentation"""
    i1, i2, i3, i4 = (indent * n for n in (1, 2, 3, 4))
    o = [f'{i1}<dossier>', f'{i2}<enterprise>']
    el = lambda ind, tag, text: o.append(f'{ind}<{tag}>{esc(text)}</{tag}>')
    el(i3, 'name', row['name'])
    el(i3, 'form', row['form'])
    el(i3, 'capital', two_decimals(row['capital']))
    o.append(f'{i3}<address division="{esc(row["division"], True)}">{esc(row["address"])}</address>')
    o.append(f'{i3}<scope industry="{esc(row["industry"], True)}">{esc(row["scope"])}</scope>')
    o.append(f'{i3}<legal-representative>')
    el(i4, 'name', row['legal_rep_name'])
    el(i4, 'citizen-id', row['legal_rep_id'])
    if row['legal_rep_phone']:
        el(i4, 'phone', row['legal_rep_phone'])
    o.append(f'{i3}</legal-representative>')
    o.append(f'{i3}<shareholders>')
    for part in row['shareholders'].split(';'):
        sname, ident, share = part.split(':')
        o.append(f'{i4}<shareholder>')
        el(i4 + indent, 'name', sname)
        el(i4 + indent, 'citizen-id' if is_citizen_id(ident) else 'uscc', ident)
        el(i4 + indent, 'share', two_decimals(share))
        o.append(f'{i4}</shareholder>')
    o.append(f'{i3}</shareholders>')
    if row['finance_officer_name']:
        o.append(f'{i3}<financial-officer>')
        el(i4, 'name', row['finance_officer_name'])
        el(i4, 'citizen-id', row['finance_officer_id'])
        o.append(f'{i3}</financial-officer>')
    if row['staff']:
        el(i3, 'staff', row['staff'])
    if row['contact_phone']:
        o.append(f'{i3}<contact>')
        el(i4, 'phone', row['contact_phone'])
        o.append(f'{i3}</contact>')
    o.append(f'{i2}</enterprise>')
    if row['requests']:
        o.append(f'{i2}<requests>')
        for key in row['requests'].split(';'):
            o.append(f'{i3}<request item="{ITEM_BY_KEY[key]["id"]}"/>')
        o.append(f'{i2}</requests>')
    if row['materials']:
        o.append(f'{i2}<materials>')
        for part in row['materials'].split(';'):
            mtype, _, rel = part.partition('=')
            if rel:
                digest = sha256_file(os.path.join(base_dir, rel))
                o.append(f'{i3}<material type="{mtype}" sha256="{digest}" href="{esc(rel, True)}"/>')
            else:
                o.append(f'{i3}<material type="{mtype}" sighted="true"/>')
        o.append(f'{i2}</materials>')
    if row['commitments']:
        o.append(f'{i2}<commitments>')
        for part in row['commitments'].split(';'):
            mtype, _, due = part.partition('@')
            o.append(f'{i3}<commitment material="{mtype}" due="{due}"/>')
        o.append(f'{i2}</commitments>')
    o.append(f'{i1}</dossier>')
    return o


def batch_xml(rows, base_dir):
    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         '<!-- fixtures/apps.csv as partial dossiers (no state, no acceptance); written by',
         '     scripts/gen-fixtures.py: edit apps.csv and rerun it, not this file. -->',
         f'<batch xmlns="{NS}">']
    for row in rows:
        o += dossier_xml(row, base_dir)
    o.append('</batch>')
    return '\n'.join(o) + '\n'


# ---------------------------------------------------------------- negative fixtures

def bad_table():
    """rows of fixtures/bad/README.md: (file, line, field, exit code)"""
    out = []
    with open(os.path.join(FIXTURES, 'bad', 'README.md'), encoding='utf-8') as f:
        for line in f:
            m = re.match(r'\|\s*`([^`]+\.(?:csv|xml))`\s*\|[^|]*\|\s*(\d+)\s*\|\s*`?([^|`]*?)`?\s*\|\s*([^|]*)\|', line)
            if m:
                code = int(re.search(r'exit (\d+)', m.group(4)).group(1))
                field = m.group(3).strip()
                out.append((m.group(1), int(m.group(2)), None if field in ('', '—') else field, code))
    return out


def check_bad():
    failures = []
    table = bad_table()
    listed = {f for f, *_ in table}
    on_disk = set()
    for sub in ('', 'xml'):
        d = os.path.join(FIXTURES, 'bad', sub)
        on_disk |= {os.path.join(sub, f) if sub else f for f in os.listdir(d)
                    if f.endswith(('.csv', '.xml'))}
    for f in sorted(on_disk ^ listed):
        failures.append(f'bad/{f}: on disk but not in bad/README.md, or the other way round')
    for name, line, field, code in table:
        path = os.path.join(FIXTURES, 'bad', name)
        try:
            if name.endswith('.csv'):
                records = [(ln, row, None) for ln, row in read_csv(path)]
            else:
                records = read_xml(path)
                records = [(ln, row, {c: w[c] for c in COLUMNS}) for ln, row, w in records]
            got = [(ln, PATHS[col] if name.endswith('.xml') else col, msg)
                   for ln, col, msg in check_batch(records, os.path.dirname(path), False)]
            outcome = 1 if got else 0
        except FormatError as e:
            got, outcome = [(e.line, None, e.message)], 65
        want = [(line, field)]
        if outcome != code or [(ln, col) for ln, col, _ in got] != want:
            failures.append(f'bad/{name}: expected exit {code} at {want}, got exit {outcome}: {got}')
    # read as GBK, invalid-utf8.csv is a good application
    gbk = os.path.join(FIXTURES, 'bad', 'invalid-utf8.csv')
    for line, col, msg in check_batch([(ln, r, None) for ln, r in read_csv(gbk, 'gbk')],
                                      os.path.dirname(gbk), False):
        failures.append(f'bad/invalid-utf8.csv:{line}: {col}: {msg} (read as GBK)')
    return failures, len(table)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--check', action='store_true', help='check only, write nothing')
    args = ap.parse_args()
    failures = []
    src = os.path.join(FIXTURES, 'apps.csv')
    apps = read_csv(src)
    zh = read_csv(os.path.join(FIXTURES, 'apps-zh-header.csv'))
    for label, recs in (('apps.csv', apps), ('apps-zh-header.csv', zh)):
        for line, col, msg in check_batch([(ln, r, None) for ln, r in recs], FIXTURES, True):
            failures.append(f'{label}:{line}: {col}: {msg}')
    names = [r['name'] for _, r in apps + zh]
    if len(set(names)) != len(names):
        failures.append('apps.csv and apps-zh-header.csv share a name')

    with open(src, 'rb') as f:
        raw = f.read()
    gbk = raw.decode('utf-8').encode('gbk')          # strict: every character must exist in GBK
    if gbk.decode('gbk').encode('utf-8') != raw:
        failures.append('apps-gbk.csv does not convert back to apps.csv')
    xml_text = batch_xml([r for _, r in apps], FIXTURES)
    outputs = {os.path.join(FIXTURES, 'apps-gbk.csv'): gbk,
               os.path.join(FIXTURES, 'apps.xml'): xml_text.encode('utf-8')}
    for path, data in outputs.items():
        if args.check:
            with open(path, 'rb') as f:
                if f.read() != data:
                    failures.append(f'{os.path.relpath(path, ROOT)} is stale: rerun scripts/gen-fixtures.py')
        else:
            with open(path, 'wb') as f:
                f.write(data)
    if [(ln, r) for ln, r in read_csv(os.path.join(FIXTURES, 'apps-gbk.csv'), 'gbk')] != apps:
        failures.append('apps-gbk.csv does not read as apps.csv')

    back = read_xml(os.path.join(FIXTURES, 'apps.xml'))
    for (_, csv_row), (line, xml_row, where) in zip(apps, back):
        for col in COLUMNS:
            a, b = csv_row[col], xml_row[col]
            if col == 'capital':
                a, b = two_decimals(a), b
            if col == 'shareholders':
                a = ';'.join(':'.join(p.split(':')[:2] + [two_decimals(p.split(':')[2])]) for p in a.split(';'))
            if col == 'requests' and a:
                a = ';'.join(ITEM_BY_KEY[k]['id'] for k in a.split(';'))
            if a != b:
                failures.append(f'apps.xml:{line}: {col}: {b!r} where apps.csv has {a!r}')
    for line, col, msg in check_batch([(ln, r, w) for ln, r, w in back], FIXTURES, True):
        failures.append(f'apps.xml:{line}: {PATHS[col]}: {msg}')
    if len(back) != len(apps):
        failures.append('apps.xml does not hold every application')

    xsd = os.path.join(SCHEMAS, 'dossier.xsd')
    if shutil.which('xmllint') and os.path.exists(xsd):
        r = subprocess.run(['xmllint', '--noout', '--schema', xsd, os.path.join(FIXTURES, 'apps.xml')],
                           capture_output=True, text=True)
        if r.returncode != 0:
            failures.append('apps.xml is not valid against schemas/dossier.xsd:\n' + r.stderr)
    else:
        print('gen-fixtures: xmllint or schemas/dossier.xsd missing, schema check skipped', file=sys.stderr)

    bad_failures, n_bad = check_bad()
    failures += bad_failures
    for f in failures:
        print('gen-fixtures: ' + f, file=sys.stderr)
    if failures:
        return 1
    print(f'gen-fixtures: {len(apps)} applications in apps.csv, {len(zh)} in apps-zh-header.csv, '
          f'{n_bad} negative fixtures: all as expected')
    return 0


if __name__ == '__main__':
    sys.exit(main())
