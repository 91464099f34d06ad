"""Write the hostile-input fixtures of tests/test_hostile_inputs.py from the bundled example export.

Run from the repository root: ``python tests/hostile/make_fixtures.py``. Each file is the first
40 respondents of ``questionnaires/crm_loyalty_example.csv`` with one defect:

* ``stray_quote.csv``: a quote opens the gender cell of data row 12 and is never closed, so
  every later line would become part of that one cell.
* ``mixed_encoding.csv``: UTF-8 rows followed by 10 rows appended in Windows-1256.
* ``long_cell.csv``: a 300,000-character cell (valid CSV, above Python's default field limit).
* ``merged.xlsx``: answers H5:H7 merged into one cell.
* ``formula.xlsx``: a formula cell (H10) whose value was never saved.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "questionnaires" / "crm_loyalty_example.csv"


def main() -> None:
    lines = SOURCE.read_text(encoding="utf-8-sig").splitlines()[:41]
    stray = list(lines)
    stray[12] = stray[12].replace(",", ',"', 1)
    (HERE / "stray_quote.csv").write_text("\n".join(stray) + "\n", encoding="utf-8")
    appended = "\n".join(SOURCE.read_text(encoding="utf-8-sig").splitlines()[41:51])
    (HERE / "mixed_encoding.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8")
                                              + appended.encode("cp1256", errors="replace") + b"\n")
    long = list(lines)
    cells = long[5].split(",")
    cells[1] = "x" * 300_000
    long[5] = ",".join(cells)
    (HERE / "long_cell.csv").write_text("\n".join(long) + "\n", encoding="utf-8")
    for name, defect in (("merged.xlsx", lambda ws: ws.merge_cells("H5:H7")),
                         ("formula.xlsx", lambda ws: ws.__setitem__("H10", "=1+2"))):
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = "Responses"
        for line in lines:
            ws.append(line.split(","))
        defect(ws)
        book.save(HERE / name)


if __name__ == "__main__":
    main()
