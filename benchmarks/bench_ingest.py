"""Ingestion benchmark: a full sheet (1,048,575 rows) and a million-row CSV of the bundled questionnaire.

Builds the files once (in --dir, default a folder under the system's temporary directory), then
measures, each in a fresh process so that peak memory is its own (its bytecode cached, as for an
installed package), side by side in this run:

* xlsx: loyaltysurvey's ingestion with the full ledger (read_table + ingest_table) against a bare
  ``pandas.read_excel(engine="calamine")`` of the same sheet (no ledger, nothing checked), and,
  on the first --openpyxl-rows rows, against openpyxl's streaming reader (the reader used before);
* csv: loyaltysurvey's ingestion against a bare ``pandas.read_csv(engine="pyarrow")``, the least
  time of --repeats runs of each (default 3; a shared machine's noise only ever adds time).

The export's cells are what real exports hold: numbers, Persian digits, scale labels, missing codes,
demographic labels; 10 extra metadata columns make the CSV 40 columns wide.

    python benchmarks/bench_ingest.py [--rows 1048575] [--csv-rows 1000000] [--repeats 3] [--skip-xlsx] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE = ROOT / "questionnaires" / "crm_loyalty.yaml"
EXAMPLE = ROOT / "questionnaires" / "crm_loyalty_example.csv"
EXTRA = [f"meta{k}" for k in range(1, 11)]


def _header() -> list[str]:
    return EXAMPLE.read_text(encoding="utf-8-sig").splitlines()[0].split(",")


def _cells(rng: random.Random, header: list[str], r: int) -> list[str | int]:
    """One respondent: mostly numbers, some Persian digits, labels and missing codes, as exports hold."""
    out: list[str | int] = [f"R{r:07d}"]
    for name in header[1:5]:
        out.append(rng.choice(["1", "2", "3", "۲", "کارشناسی"]) if name == "education" else str(rng.randint(1, 3)))
    for _ in header[5:]:
        x = rng.random()
        v = rng.randint(1, 5)
        out.append(v if x < 0.85 else "۰۱۲۳۴۵"[v] if x < 0.95 else "موافقم" if x < 0.98 else "99")
    return out


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        s = chr(65 + rem) + s
    return s


def build_xlsx(path: Path, rows: int) -> None:
    """A workbook written as sheet XML directly (openpyxl would take minutes for a full sheet)."""
    header = _header()
    rng = random.Random(20260101)
    cols = [_col(i) for i in range(len(header))]
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }

    def cell(ref: str, value: str | int) -> str:
        if isinstance(value, int):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData>')
            f.write(('<row r="1">' + "".join(cell(c + "1", h) for c, h in zip(cols, header)) + "</row>").encode())
            block = []
            for r in range(2, rows + 2):
                values = _cells(rng, header, r - 1)
                block.append(f'<row r="{r}">' + "".join(cell(f"{c}{r}", v) for c, v in zip(cols, values)) + "</row>")
                if len(block) == 5000:
                    f.write("".join(block).encode())
                    block = []
            f.write("".join(block).encode() + b"</sheetData></worksheet>")


def build_csv(path: Path, rows: int) -> None:
    header = _header()
    rng = random.Random(20260102)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header + EXTRA) + "\n")
        for r in range(1, rows + 1):
            values = [str(v) for v in _cells(rng, header, r)] + [str(rng.randint(0, 999)) for _ in EXTRA]
            f.write(",".join(values) + "\n")


_RUN = r'''
import json, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if kind == "ours":
    from loyaltysurvey.ingest import read_table, ingest_table
    from loyaltysurvey.questionnaire import load_questionnaire
    result = ingest_table(load_questionnaire(sys.argv[3]), read_table(path))
    rows = result.ledger.respondents
elif kind == "calamine":
    import pandas as pd
    rows = len(pd.read_excel(path, engine="calamine", dtype=object))
elif kind == "pyarrow":
    import pandas as pd
    rows = len(pd.read_csv(path, engine="pyarrow", dtype=str))
elif kind == "openpyxl":
    import openpyxl
    limit = int(sys.argv[3])
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = sum(1 for _ in ws.iter_rows(values_only=True, max_row=limit + 1)) - 1
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": rows,
                  "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2}))
'''


#: The child processes' bytecode is cached (in a temporary folder), as it is for an installed package;
#: PYTHONDONTWRITEBYTECODE would make every run compile this package's modules again.
_CACHE = tempfile.mkdtemp(prefix="loyaltysurvey-bench-pycache-")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _CACHE
    src = str(ROOT / "src")  # this checkout's package, even when another one is installed
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def measure(*args: str, repeats: int = 1) -> dict:
    """The run in a new process, ``repeats`` times side by side: the least time (and its peak memory)."""
    runs = []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, check=True,
                              env=_env())
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return min(runs, key=lambda r: r["seconds"])


def _xlsx(args: argparse.Namespace, xlsx: Path) -> None:
    ours = measure("ours", str(xlsx), str(QUESTIONNAIRE))
    bare = measure("calamine", str(xlsx))
    print(f"xlsx {args.rows:,} rows x {len(_header())} columns ({xlsx.stat().st_size / 1e6:.0f} MB)")
    print(f"  loyaltysurvey ingest + ledger : {ours['seconds']:6.1f} s  peak {ours['peak_gb']:.2f} GB "
          f"({ours['rows']:,} respondents)")
    print(f"  bare pandas/calamine read     : {bare['seconds']:6.1f} s  peak {bare['peak_gb']:.2f} GB")
    print(f"  ratio ours / bare read        : {ours['seconds'] / bare['seconds']:6.2f}x  (goal: under a minute)")
    if args.openpyxl_rows:
        small = args.dir / f"sheet_{args.openpyxl_rows}.xlsx"
        if not small.exists():
            build_xlsx(small, args.openpyxl_rows)
        ours_small = measure("ours", str(small), str(QUESTIONNAIRE))
        peer = measure("openpyxl", str(small), str(args.openpyxl_rows))
        print(f"  on {args.openpyxl_rows:,} rows: loyaltysurvey {ours_small['seconds']:.1f} s, openpyxl streaming "
              f"read alone {peer['seconds']:.1f} s ({peer['seconds'] / ours_small['seconds']:.1f}x slower)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_048_575, help="data rows of the sheet")
    parser.add_argument("--csv-rows", type=int, default=1_000_000, help="data rows of the CSV")
    parser.add_argument("--openpyxl-rows", type=int, default=50_000, help="rows read by the openpyxl peer")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each CSV side (the least time counts)")
    parser.add_argument("--skip-xlsx", action="store_true", help="only the CSV")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "loyaltysurvey-bench-ingest")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    xlsx, csv_path = args.dir / f"sheet_{args.rows}.xlsx", args.dir / f"export_{args.csv_rows}.csv"
    if not args.skip_xlsx:
        if not xlsx.exists():
            print(f"writing {xlsx} ...", flush=True)
            build_xlsx(xlsx, args.rows)
        _xlsx(args, xlsx)
    if not csv_path.exists():
        print(f"writing {csv_path} ...", flush=True)
        build_csv(csv_path, args.csv_rows)
    measure("ours", str(csv_path), str(QUESTIONNAIRE))  # compiles and caches the bytecode once
    ours = measure("ours", str(csv_path), str(QUESTIONNAIRE), repeats=args.repeats)
    bare = measure("pyarrow", str(csv_path), repeats=args.repeats)
    print(f"csv {args.csv_rows:,} rows x {len(_header()) + len(EXTRA)} columns ({csv_path.stat().st_size / 1e6:.0f} MB), "
          f"the least of {args.repeats} runs each")
    print(f"  loyaltysurvey ingest + ledger : {ours['seconds']:6.1f} s  peak {ours['peak_gb']:.2f} GB")
    print(f"  bare pandas/pyarrow read_csv  : {bare['seconds']:6.1f} s  peak {bare['peak_gb']:.2f} GB")
    print(f"  ratio ours / bare read        : {ours['seconds'] / bare['seconds']:6.2f}x  (goal: 4x)")


if __name__ == "__main__":
    main()
