"""Generates the sample customers files (CSV and XLSX) deterministically. Run: python3 samples/data/generate.py"""
import os, random, zipfile, datetime
from xml.sax.saxutils import escape

random.seed(20261123)
here = os.path.dirname(os.path.abspath(__file__))
first = ["Ada", "Bob", "Chloé", "Dmitri", "Eve", "Fatima", "Günter", "Hiro", "Ines", "João", "Kofi", "Lena", "Mateo", "Noor", "Olga", "Pavel", "Qiu", "Rosa", "Sven", "Tariq"]
last = ["Lovelace", "Smith", "Dubois", "Ivanov", "Adams", "Khan", "Müller", "Tanaka", "García", "Silva", "Mensah", "Berg", "Rossi", "Haddad", "Petrova", "Novak", "Wang", "Lopez", "Larsen", "Aziz"]
tiers = ["Gold", "Silver"]
rows = []
for i in range(1, 401):
    name = f"{random.choice(first)} {random.choice(last)}"
    email = f"{name.split()[0].lower().replace('é','e').replace('ü','u')}.{i}@example.com"
    balance = f"{random.randint(-500, 250000) / 100:.2f}"
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=random.randint(0, 20000))
    joined = datetime.datetime(2018, 1, 1) + datetime.timedelta(minutes=random.randint(0, 4_000_000))
    active = random.choice(["true", "false", "yes", "no"])
    tier = random.choice(tiers)
    rows.append([name, email, balance, born.isoformat(), joined.strftime("%Y-%m-%d %H:%M"), active, tier])
# A few bad rows on purpose: a missing name, a bad number, an unknown tier, a bad date, and a repeated e-mail.
rows[17][0] = ""
rows[42][2] = "12,34.5"
rows[99][6] = "Platinum"
rows[150][3] = "1990-02-30"
rows[210][1] = rows[5][1]
header = ["Name", "Email", "Balance", "Born", "Joined", "Active", "Tier"]

def csv_field(v):
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v

with open(os.path.join(here, "customers.csv"), "w", encoding="utf-8", newline="") as f:
    for r in [header] + rows:
        f.write(",".join(csv_field(v) for v in r) + "\r\n")

# XLSX: numbers as numbers, dates as date-styled serials, the rest as inline strings.
def col(i):
    return chr(ord('A') + i)

def serial(d):
    base = datetime.datetime(1899, 12, 30)
    return (d - base).total_seconds() / 86400

sheet = []
for ri, r in enumerate([header] + rows, start=1):
    cells = []
    for ci, v in enumerate(r):
        ref = f"{col(ci)}{ri}"
        if ri > 1 and ci == 2 and v.replace('.', '', 1).replace('-', '', 1).isdigit():
            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
        elif ri > 1 and ci == 3 and v != "1990-02-30":
            d = datetime.datetime.fromisoformat(v)
            cells.append(f'<c r="{ref}" s="1"><v>{serial(d):.0f}</v></c>')
        elif ri > 1 and ci == 4:
            d = datetime.datetime.strptime(v, "%Y-%m-%d %H:%M")
            cells.append(f'<c r="{ref}" s="2"><v>{serial(d):.10f}</v></c>')
        elif ri > 1 and ci == 5:
            cells.append(f'<c r="{ref}" t="b"><v>{1 if v in ("true", "yes") else 0}</v></c>')
        elif v == "":
            continue
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
    sheet.append(f'<row r="{ri}">' + "".join(cells) + "</row>")

ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
parts = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rns}><sheets><sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {ns}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>',
    "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>' + "".join(sheet) + "</sheetData></worksheet>",
}
with zipfile.ZipFile(os.path.join(here, "customers.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
    for name, content in parts.items():
        zi = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(zi, content)
