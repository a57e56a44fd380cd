"""A CSV as a spreadsheet saves it: the text and its separator (ADR 0043).

The CSVs bodymap reads (`import-regions`, `stats --by ... --groups`) are often made in Excel or
LibreOffice, which save them in ways a plain `csv.reader` does not read:
- `;` between cells where the decimal mark is a comma (German, French, Spanish, Dutch Excel);
- a first line `sep=;` naming the separator;
- lines ended by a bare carriage return (older "CSV (Macintosh)");
- UTF-16 with a byte-order mark and tabs ("Unicode Text");
- Windows-1252 ("CSV (Comma delimited)"): not guessed, since a wrong guess would change a patient
  identifier; refused with the line and how to save it as UTF-8 instead.
"""
from __future__ import annotations

import re

from ..errors import UsageError

_SEP_LINE = re.compile(r'"?sep=(.)"?,*')


def decode_sheet(raw: bytes, where: str) -> tuple[str, str]:
    """(text with '\\n' line ends, the cell separator) of a spreadsheet's CSV bytes; `where` names the file in
    the one-line UsageError for bytes that are not text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise UsageError(f"{where}: not readable UTF-16 text") from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].count(b"\n") + 1
            raise UsageError(f"{where}: not UTF-8 text (line {line}); in the spreadsheet, save it as "
                             "'CSV UTF-8'") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first, _, rest = text.partition("\n")
    m = _SEP_LINE.fullmatch(first.strip())
    if m:
        return rest, m.group(1)
    return text, separator(first)


def separator(header: str) -> str:
    """The separator of a CSV whose first line is `header`: a tab or `;` when the header has them and no comma,
    else a comma."""
    if "," in header:
        return ","
    if "\t" in header:
        return "\t"
    if ";" in header:
        return ";"
    return ","


def blank_row(row: dict) -> bool:
    """True for a row whose every cell is empty (`;;;` at the end of an Excel sheet)."""
    cells = []
    for v in row.values():
        cells.extend(v if isinstance(v, list) else [v])
    return all(not (v.strip() if isinstance(v, str) else v) for v in cells)
